//! `/static/app.js` and `/static/app.css`, compiled into the binary so a
//! deployment is one file and the page and its script can never disagree.

use axum::http::header;
use axum::response::IntoResponse;

const APP_JS: &str = include_str!("../../static/app.js");
const APP_CSS: &str = include_str!("../../static/app.css");

/// Short enough that a new release is picked up within minutes.
const CACHE: &str = "public, max-age=300";

pub async fn app_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        APP_JS,
    )
}

pub async fn app_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        APP_CSS,
    )
}
