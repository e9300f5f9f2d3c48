//! An HTTP proxy that fails on command: in front of an HTTP service (the
//! chaos suite puts it in front of the Pinecone double), it forwards
//! requests, or answers them itself with a status such as 429 or 503, or
//! takes them and never answers. The mode is switched at run time with
//! [`HttpFaultProxy::set`] and applies to every request that arrives
//! afterwards, on new and reused connections alike.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use tokio::sync::watch;

/// What the proxy does with the next requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpFault {
    /// Forward to the target and hand its answer back unchanged.
    PassThrough,
    /// Answer with `status` and a Pinecone-style error body (`code`,
    /// `message`, `details`), with `Retry-After: <seconds>` when set.
    Status {
        status: u16,
        retry_after_s: Option<u64>,
    },
    /// Accept the request and answer nothing while the mode lasts: the
    /// client's own timeout is the only way out. A request still held when
    /// the mode changes is answered 503 then (never forwarded, so no write
    /// lands after its client gave up on it), and nothing is held forever.
    Hang,
}

impl HttpFault {
    /// 429 with `Retry-After: <seconds>`.
    pub fn throttled(retry_after_s: u64) -> Self {
        Self::Status {
            status: 429,
            retry_after_s: Some(retry_after_s),
        }
    }

    /// 503 without `Retry-After`.
    pub fn unavailable() -> Self {
        Self::Status {
            status: 503,
            retry_after_s: None,
        }
    }
}

/// What the proxy did so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyCounts {
    /// Requests forwarded and answered by the target.
    pub forwarded: u64,
    /// Requests answered by the proxy itself, per status.
    pub answered: BTreeMap<u16, u64>,
    /// Requests taken in [`HttpFault::Hang`] mode.
    pub hung: u64,
    /// Forwards that failed (target unreachable): answered 502.
    pub target_errors: u64,
}

struct ProxyState {
    target: String,
    client: reqwest::Client,
    mode: watch::Sender<HttpFault>,
    counts: Mutex<ProxyCounts>,
}

pub struct HttpFaultProxy {
    pub addr: SocketAddr,
    state: Arc<ProxyState>,
}

impl HttpFaultProxy {
    /// Listen on 127.0.0.1 (a free port) and pass everything through to
    /// `target` (`http://host:port`, no path) until told otherwise.
    pub async fn start(target: &str) -> Self {
        let (mode, _) = watch::channel(HttpFault::PassThrough);
        let state = Arc::new(ProxyState {
            target: target.trim_end_matches('/').to_owned(),
            client: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("an HTTP client"),
            mode,
            counts: Mutex::new(ProxyCounts::default()),
        });
        let app = Router::new()
            .fallback(handle)
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, state }
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn set(&self, mode: HttpFault) {
        self.state.mode.send_replace(mode);
    }

    pub fn mode(&self) -> HttpFault {
        self.state.mode.borrow().clone()
    }

    pub fn counts(&self) -> ProxyCounts {
        self.state.counts.lock().unwrap().clone()
    }
}

async fn handle(
    State(state): State<Arc<ProxyState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mode = state.mode.borrow().clone();
    match mode {
        HttpFault::PassThrough => forward(&state, method, &uri, headers, body).await,
        HttpFault::Status {
            status,
            retry_after_s,
        } => {
            *state
                .counts
                .lock()
                .unwrap()
                .answered
                .entry(status)
                .or_default() += 1;
            error_response(status, retry_after_s, "injected fault")
        }
        HttpFault::Hang => {
            state.counts.lock().unwrap().hung += 1;
            let mut mode = state.mode.subscribe();
            let _ = mode.wait_for(|m| *m != HttpFault::Hang).await;
            error_response(503, None, "held through an injected hang")
        }
    }
}

async fn forward(
    state: &ProxyState,
    method: Method,
    uri: &Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut request_headers = headers;
    for name in [header::HOST, header::CONTENT_LENGTH] {
        request_headers.remove(name);
    }
    strip_hop_by_hop(&mut request_headers);
    let sent = state
        .client
        .request(method, format!("{}{path}", state.target))
        .headers(request_headers)
        .body(body)
        .send()
        .await;
    let answer = match sent {
        Ok(response) => {
            let status = response.status();
            let mut response_headers = response.headers().clone();
            response_headers.remove(header::CONTENT_LENGTH);
            strip_hop_by_hop(&mut response_headers);
            response
                .bytes()
                .await
                .map(|bytes| (status, response_headers, bytes))
        }
        Err(e) => Err(e),
    };
    match answer {
        Ok((status, response_headers, bytes)) => {
            state.counts.lock().unwrap().forwarded += 1;
            (status, response_headers, bytes).into_response()
        }
        Err(e) => {
            state.counts.lock().unwrap().target_errors += 1;
            error_response(502, None, &format!("proxy: target unreachable: {e}"))
        }
    }
}

fn strip_hop_by_hop(headers: &mut HeaderMap) {
    for name in [
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
    ] {
        headers.remove(HeaderName::from_static(name));
    }
}

/// A status with Pinecone's error body (`google.rpc.Status`: 429 is
/// RESOURCE_EXHAUSTED, 5xx UNAVAILABLE).
fn error_response(status: u16, retry_after_s: Option<u64>, message: &str) -> Response {
    let code = match status {
        429 => 8,
        500..=599 => 14,
        _ => 2,
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        axum::Json(json!({ "code": code, "message": message, "details": [] })),
    )
        .into_response();
    if let Some(seconds) = retry_after_s {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A target that echoes the request line and one header.
    async fn echo() -> String {
        let app =
            Router::new().fallback(|method: Method, uri: Uri, headers: HeaderMap| async move {
                let key = headers
                    .get("api-key")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_owned();
                (StatusCode::CREATED, format!("{method} {uri} {key}"))
            });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}")
    }

    #[tokio::test]
    async fn passes_through_fails_and_hangs_on_command() {
        let proxy = HttpFaultProxy::start(&echo().await).await;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let url = format!("{}/vectors/list?limit=3", proxy.url());
        let get = || client.get(&url).header("Api-Key", "k1").send();

        let response = get().await.unwrap();
        assert_eq!(response.status(), 201);
        assert_eq!(
            response.text().await.unwrap(),
            "GET /vectors/list?limit=3 k1"
        );

        proxy.set(HttpFault::throttled(2));
        let response = get().await.unwrap();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "2");

        proxy.set(HttpFault::unavailable());
        let response = get().await.unwrap();
        assert_eq!(response.status(), 503);
        assert!(response.headers().get("retry-after").is_none());

        proxy.set(HttpFault::Hang);
        let err = get().await.unwrap_err();
        assert!(err.is_timeout(), "{err}");

        proxy.set(HttpFault::PassThrough);
        assert_eq!(get().await.unwrap().status(), 201);
        let counts = proxy.counts();
        assert_eq!(counts.forwarded, 2);
        assert_eq!(counts.answered, BTreeMap::from([(429, 1), (503, 1)]));
        assert_eq!(counts.hung, 1);
    }
}
