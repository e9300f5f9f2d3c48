//! `/login`, `/logout`, the [`LoggedIn`] extractor of the editing pages
//! and the CSRF check of every form.

use askama::Template;
use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRef, FromRequestParts, RawQuery, State};
use axum::http::header::RETRY_AFTER;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;

use super::format;
use super::layout::{Layout, Page, PageError};
use crate::AppState;
use crate::auth::{
    Auth, BrowserId, CurrentUser, MAX_PASSWORD_BYTES, MAX_USERNAME_CHARS, SESSION_COOKIE,
    auth_cookie, is_https,
};

/// A page for logged-in users only. Anyone else is sent to `/login`, and
/// back here after logging in.
#[derive(Debug, Clone)]
pub struct LoggedIn(pub String);

impl<S> FromRequestParts<S> for LoggedIn
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_ref(state);
        match CurrentUser::lookup(parts, &auth).await {
            Ok(CurrentUser(Some(user))) => Ok(Self(user)),
            Ok(CurrentUser(None)) => {
                let login = format::href_with_query("/login", &[("next", parts.uri.path())]);
                Err(Redirect::to(&login).into_response())
            }
            Err(e) => Err(PageError::unavailable("The session store", &e).into_response()),
        }
    }
}

/// A form's CSRF token must be the one of this browser.
pub fn check_csrf(
    state: &AppState,
    browser: Option<&BrowserId>,
    token: &str,
) -> Result<(), PageError> {
    match browser {
        Some(id) if state.auth.key().csrf_token_is_valid(&id.0, token) => Ok(()),
        _ => Err(PageError::csrf()),
    }
}

/// Where to go after logging in: a path on this site only, never an
/// absolute or protocol-relative URL (an open redirect).
fn safe_next(next: &str) -> String {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(char::is_control);
    if local {
        next.to_owned()
    } else {
        "/".to_owned()
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginTemplate {
    layout: Layout,
    next: String,
    username: String,
    error: Option<String>,
    max_username: usize,
}

pub async fn login_form(layout: Layout, RawQuery(query): RawQuery) -> Response {
    let next = query
        .as_deref()
        .and_then(|q| {
            q.split('&')
                .find_map(|pair| pair.strip_prefix("next="))
                .and_then(|v| percent_encoding::percent_decode_str(v).decode_utf8().ok())
                .map(|v| v.into_owned())
        })
        .unwrap_or_default();
    Page(
        StatusCode::OK,
        LoginTemplate {
            layout,
            next: safe_next(&next),
            username: String::new(),
            error: None,
            max_username: MAX_USERNAME_CHARS,
        },
    )
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    layout: Layout,
    browser: Option<axum::Extension<BrowserId>>,
    jar: CookieJar,
    request_headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|e| PageError::new(e.status(), e.body_text()))?;
    check_csrf(&state, browser.as_deref(), &form.csrf_token)?;
    let username = form.username.trim().to_owned();
    let valid_shape = !username.is_empty()
        && username.chars().count() <= MAX_USERNAME_CHARS
        && form.password.len() <= MAX_PASSWORD_BYTES;
    if valid_shape && let Err(wait) = state.auth.login_attempt(&username) {
        // Whole seconds, rounded up, so a client that waits that long gets in.
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        tracing::warn!(username = %username, retry_after_s = seconds, "login attempts throttled");
        let page = LoginTemplate {
            layout,
            next: safe_next(&form.next),
            username,
            error: Some(format!(
                "Too many login attempts for this user name. Try again in {seconds} s."
            )),
            max_username: MAX_USERNAME_CHARS,
        };
        let mut response = Page(StatusCode::TOO_MANY_REQUESTS, page).into_response();
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
        return Ok(response);
    }
    if !valid_shape
        || !state
            .auth
            .verify_password(username.clone(), form.password)
            .await
    {
        tracing::info!(username = %username, "failed login");
        let page = LoginTemplate {
            layout,
            next: safe_next(&form.next),
            username,
            error: Some("Wrong user name or password.".to_owned()),
            max_username: MAX_USERNAME_CHARS,
        };
        return Ok(Page(StatusCode::UNAUTHORIZED, page).into_response());
    }
    let token = state
        .auth
        .sessions()
        .create(&username)
        .await
        .map_err(|e| PageError::unavailable("The session store", &e))?;
    tracing::info!(username = %username, "logged in");
    // No Max-Age: the cookie ends with the browser session, and the server
    // ends the session after FRONTEND_SESSION_TTL_HOURS in any case.
    let cookie = auth_cookie(SESSION_COOKIE, token, is_https(&request_headers, &uri));
    Ok((jar.add(cookie), Redirect::to(&safe_next(&form.next))).into_response())
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    #[serde(default)]
    csrf_token: String,
}

pub async fn logout(
    State(state): State<AppState>,
    browser: Option<axum::Extension<BrowserId>>,
    jar: CookieJar,
    form: Result<Form<LogoutForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Form(form) = form.map_err(|e| PageError::new(e.status(), e.body_text()))?;
    check_csrf(&state, browser.as_deref(), &form.csrf_token)?;
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        state
            .auth
            .sessions()
            .revoke(cookie.value())
            .await
            .map_err(|e| PageError::unavailable("The session store", &e))?;
    }
    let removal = Cookie::build((SESSION_COOKIE, "")).path("/").build();
    Ok((jar.remove(removal), Redirect::to("/")).into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next("/products/A-1/edit"), "/products/A-1/edit");
        for evil in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "",
            "javascript:alert(1)",
        ] {
            assert_eq!(safe_next(evil), "/", "{evil}");
        }
    }
}
