//! What every HTML page shares: the [`Layout`] that `base.html` renders
//! (current user, CSRF token of the logout form), the askama → response
//! wrapper [`Page`], and [`PageError`], an error shown as a page.

use askama::Template;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::auth::{Auth, BrowserId, CurrentUser};

/// The one field `base.html` reads. Obtained by handlers as an extractor.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    /// Who is logged in.
    pub user: Option<String>,
    /// This browser's CSRF token, for every form on the page (the logout
    /// form of the header, and the page's own). Empty on error pages.
    pub csrf_token: String,
}

impl<S> FromRequestParts<S> for Layout
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = std::convert::Infallible;

    /// Never fails: if the session store is down the page still renders,
    /// as for a visitor who is not logged in (the sync status page must
    /// work precisely when things are broken).
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_ref(state);
        let user = match CurrentUser::lookup(parts, &auth).await {
            Ok(user) => user.0,
            Err(e) => {
                tracing::warn!(error = %e, "could not read the session; rendering logged out");
                None
            }
        };
        let browser = parts
            .extensions
            .get::<BrowserId>()
            .cloned()
            .or_else(|| BrowserId::from_headers(&parts.headers));
        let csrf_token = browser.map_or_else(String::new, |id| auth.key().csrf_token(&id.0));
        Ok(Self { user, csrf_token })
    }
}

/// An askama template as a response, with a status.
pub struct Page<T>(pub StatusCode, pub T);

impl<T: Template> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        match self.1.render() {
            Ok(html) => (
                self.0,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                html,
            )
                .into_response(),
            // A template that cannot render is a bug, never bad input.
            Err(e) => {
                tracing::error!(error = %e, "rendering a template failed");
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate<'a> {
    layout: Layout,
    title: &'a str,
    message: &'a str,
}

/// An error answered with an HTML page that says what happened.
#[derive(Debug)]
pub struct PageError {
    pub status: StatusCode,
    pub message: String,
}

impl PageError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    /// A dependency failed: logged with the cause, shown without it.
    pub fn unavailable(what: &str, error: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %error, "{what} failed");
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{what} is not available right now. Please try again in a moment."),
        )
    }

    pub fn csrf() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "This form has expired or did not come from this site. Go back, reload the page and try again.",
        )
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        Page(
            self.status,
            ErrorTemplate {
                layout: Layout::default(),
                title,
                message: &self.message,
            },
        )
        .into_response()
    }
}
