//! Who may change products through the API: a program with the API key
//! (`Authorization: Bearer …`), or a logged-in browser that also sends its
//! CSRF token in `X-CSRF-Token` (a cookie alone proves nothing: the
//! browser attaches it to cross-site requests too). A `GET` changes
//! nothing, so it needs no CSRF token (an editor's own import jobs).

use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::problem::Problem;
use crate::auth::{Auth, BrowserId, CurrentUser};

pub const CSRF_HEADER: &str = "x-csrf-token";

/// The authenticated editor: a user name, or "api-key".
#[derive(Debug, Clone)]
pub struct Editor(pub String);

impl<S> FromRequestParts<S> for Editor
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_ref(state);
        if let Some(value) = parts.headers.get(AUTHORIZATION) {
            let key = value
                .to_str()
                .ok()
                .and_then(|v| {
                    v.strip_prefix("Bearer ")
                        .or_else(|| v.strip_prefix("bearer "))
                })
                .map(str::trim);
            return match key {
                Some(key) if auth.api_key_matches(key) => Ok(Self("api-key".to_owned())),
                _ => Err(
                    Problem::new(StatusCode::UNAUTHORIZED, "the API key is not valid")
                        .with_challenge(r#"Bearer error="invalid_token""#),
                ),
            };
        }
        let user = CurrentUser::lookup(parts, &auth)
            .await
            .map_err(|e| Problem::unavailable("the session store", &e))?;
        let Some(user) = user.0 else {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "editing needs an API key (Authorization: Bearer …) or a logged-in session",
            )
            .with_challenge("Bearer"));
        };
        if parts.method.is_safe() {
            return Ok(Self(user));
        }
        let token = parts
            .headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let browser = BrowserId::from_headers(&parts.headers);
        match browser {
            Some(id) if auth.key().csrf_token_is_valid(&id.0, token) => Ok(Self(user)),
            _ => Err(Problem::new(
                StatusCode::FORBIDDEN,
                "a session needs the page's CSRF token in the X-CSRF-Token header",
            )),
        }
    }
}
