//! The layers every request passes: request ids and their log spans,
//! latency metrics by route, security headers, limits and a timeout.

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::api;

/// The largest request body: a product edit with the longest description
/// (8 000 characters, up to 4 bytes each) and form encoding fits easily.
pub const MAX_BODY_BYTES: usize = 96 * 1024;

/// The most header bytes (names + values) a request may carry; browsers send
/// a few KB. Larger requests get 431 before any handler runs.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// No inline script or style anywhere, nothing from other origins.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Wrap the application in every layer. Each `.layer` wraps what is above
/// it, so the list reads from the innermost layer to the outermost.
/// HSTS for a year: long enough to matter, the value browsers and
/// preload lists expect. Subdomains are left out: the frontend cannot know
/// whether every other host of the domain serves HTTPS.
const HSTS: &str = "max-age=31536000";

pub fn wrap(app: Router, request_timeout: Duration, hsts: bool) -> Router {
    let hsts = hsts.then(|| HeaderValue::from_static(HSTS));
    let x_request_id = HeaderName::from_static("x-request-id");
    app.route_layer(middleware::from_fn(remember_route))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            request_timeout,
        ))
        .layer(middleware::from_fn(limit_headers))
        .layer(middleware::from_fn(api::problem_bodies))
        // Pages carry CSRF tokens and user names: never stored by caches
        // (static assets set their own Cache-Control, which wins).
        .layer(security_header(header::CACHE_CONTROL, "no-store"))
        .layer(security_header(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(security_header(header::REFERRER_POLICY, "same-origin"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            move |_: &Response| hsts.clone(),
        ))
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            CONTENT_SECURITY_POLICY,
        ))
        .layer(middleware::from_fn(track_latency))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                let request_id = request
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                tracing::info_span!(
                    "request",
                    request_id = %request_id,
                    method = %request.method(),
                    path = %request.uri().path(),
                )
            }),
        )
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

/// The policy of every page, also letting the page's scripts connect to
/// `origin` (the upload page `PUT`s files to S3). A handler that sets its
/// own Content-Security-Policy keeps it (the layer only fills it in).
pub fn content_security_policy_with_connect(origin: &str) -> String {
    CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self'",
        &format!("connect-src 'self' {origin}"),
    )
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Inside the router: note which route matched, for [`track_latency`]
/// outside it (which sees the response, not the routing).
async fn remember_route(request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().cloned();
    let mut response = next.run(request).await;
    if let Some(route) = route {
        response.extensions_mut().insert(route);
    }
    response
}

/// `http_request_duration_seconds{method, route, status}` and
/// `http_requests_total{…}`. The route is the pattern (`/products/{sku}`),
/// never the raw path, so the number of series stays bounded.
async fn track_latency(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("http_requests_total", &labels).increment(1);
    response
}

/// 431 for requests whose headers are larger than [`MAX_HEADER_BYTES`].
async fn limit_headers(request: Request, next: Next) -> Response {
    let size: usize = request
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if size > MAX_HEADER_BYTES {
        let message =
            format!("request headers are {size} bytes; at most {MAX_HEADER_BYTES} are accepted");
        if request.uri().path().starts_with("/api/") {
            return api::Problem::new(StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, message)
                .into_response();
        }
        return (StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE, message).into_response();
    }
    next.run(request).await
}

/// Describe the metrics for `/metrics`.
pub fn describe_metrics() {
    metrics::describe_histogram!(
        "http_request_duration_seconds",
        metrics::Unit::Seconds,
        "Time to answer an HTTP request, by method, route pattern and status"
    );
    metrics::describe_counter!(
        "http_requests_total",
        "HTTP requests answered, by method, route and status"
    );
    metrics::describe_counter!(
        "search_window_widened_total",
        "Searches whose candidate window was asked again, wider, because the vector store still held matches of deleted or filtered-out products"
    );
}
