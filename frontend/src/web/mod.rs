//! The server-rendered pages (askama templates in `templates/`, script and
//! styles in `static/`).
//!
//! Layout of the module, one job per file:
//! * `layout` — [`Layout`] of `base.html`, the template response wrapper,
//!   error pages.
//! * `search` — `/`, the search page.
//! * `product` — the product page and its edit form.
//! * `login` — login, logout, the logged-in guard and the CSRF check.
//! * `assets` — `/static/app.js`, `/static/app.css`.
//! * `format` — values as text and links.

mod assets;
mod format;
mod layout;
mod login;
mod product;
mod search;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};

pub use self::layout::{Layout, Page, PageError};
pub use self::login::LoggedIn;
use crate::AppState;

/// The pages. They need the browser id (CSRF), see `auth::issue_browser_id`.
pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/", get(search::search_page))
        .route("/products/{sku}", get(product::product_page))
        .route(
            "/products/{sku}/edit",
            get(product::edit_form).post(product::save_edit),
        )
        .route("/login", get(login::login_form).post(login::login))
        .route("/logout", post(login::logout))
}

pub fn assets() -> Router<AppState> {
    Router::new()
        .route("/static/app.js", get(assets::app_js))
        .route("/static/app.css", get(assets::app_css))
}

/// Any other path: a page (the API answers its own 404s as problems).
pub async fn not_found() -> PageError {
    PageError::new(StatusCode::NOT_FOUND, "There is no page at this address.")
}
