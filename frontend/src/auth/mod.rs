//! Who is asking: users and their passwords, login sessions, CSRF tokens,
//! the API key, and the cookies that carry them.
//!
//! Two cookies, both HttpOnly, SameSite=Lax, Path=/, and Secure when the
//! request came over https (directly or per `X-Forwarded-Proto` from the
//! load balancer):
//! * `browser` — a random id, issued on the first page view; CSRF tokens
//!   are derived from it (see `key`). Lives as long as the browser session.
//! * `session` — the login session token (see `sessions`), for
//!   `FRONTEND_SESSION_TTL_HOURS`.

mod key;
mod login_throttle;
mod sessions;
mod users;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, FromRequestParts, Request};
use axum::http::HeaderValue;
use axum::http::header::SET_COOKIE;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sync_core::settings::Secret;

pub use self::key::ServerKey;
pub use self::login_throttle::LoginThrottle;
pub use self::sessions::Sessions;
pub use self::users::{MAX_PASSWORD_BYTES, MAX_USERNAME_CHARS, Users, hash_password};

pub const BROWSER_COOKIE: &str = "browser";
pub const SESSION_COOKIE: &str = "session";

/// Everything authentication needs; cheap to clone.
#[derive(Clone, Debug)]
pub struct Auth(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    users: Users,
    key: ServerKey,
    api_key: Option<Secret>,
    sessions: Sessions,
    throttle: LoginThrottle,
}

impl Auth {
    pub fn new(
        users: Users,
        key: ServerKey,
        api_key: Option<Secret>,
        sessions: Sessions,
        throttle: LoginThrottle,
    ) -> Self {
        Self(Arc::new(Inner {
            users,
            key,
            api_key,
            sessions,
            throttle,
        }))
    }

    pub fn key(&self) -> &ServerKey {
        &self.0.key
    }

    pub fn sessions(&self) -> &Sessions {
        &self.0.sessions
    }

    /// Count a login attempt as `username`; `Err` is how long to wait
    /// before trying again (see `login_throttle`).
    pub fn login_attempt(&self, username: &str) -> Result<(), Duration> {
        self.0.throttle.attempt(username)
    }

    /// Check a password on a blocking thread (Argon2 is deliberately slow).
    pub async fn verify_password(&self, username: String, password: String) -> bool {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.0.users.verify(&username, &password))
            .await
            .unwrap_or(false)
    }

    /// Whether `presented` is the configured API key (never, if none is).
    pub fn api_key_matches(&self, presented: &str) -> bool {
        self.0
            .api_key
            .as_ref()
            .is_some_and(|expected| self.0.key.api_key_matches(expected, presented))
    }

    /// The logged-in user of this request, if any. A session whose user was
    /// removed from `FRONTEND_USERS` no longer counts.
    pub async fn current_user(
        &self,
        headers: &axum::http::HeaderMap,
    ) -> Result<Option<String>, sqlx::Error> {
        let jar = CookieJar::from_headers(headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Ok(None);
        };
        let user = self.0.sessions.user(cookie.value()).await?;
        Ok(user.filter(|name| self.0.users.contains(name)))
    }
}

/// The browser id of this request (see [`issue_browser_id`]).
#[derive(Clone, Debug)]
pub struct BrowserId(pub String);

impl BrowserId {
    /// From the request's cookie; `None` when it has none (or a malformed one).
    pub fn from_headers(headers: &axum::http::HeaderMap) -> Option<Self> {
        let jar = CookieJar::from_headers(headers);
        let value = jar.get(BROWSER_COOKIE)?.value().to_owned();
        // Our ids are 32 random bytes in unpadded base64url: 43 characters.
        let valid = value.len() == 43
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        valid.then_some(Self(value))
    }

    fn random() -> Self {
        Self(URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>()))
    }
}

/// Middleware for the HTML pages: make sure the browser has an id (its
/// CSRF tokens derive from it), and make it available to handlers as a
/// request extension. A new id is set as a cookie on the response.
pub async fn issue_browser_id(mut request: Request, next: Next) -> Response {
    if let Some(id) = BrowserId::from_headers(request.headers()) {
        request.extensions_mut().insert(id);
        return next.run(request).await;
    }
    let id = BrowserId::random();
    let secure = is_https(request.headers(), request.uri());
    request.extensions_mut().insert(id.clone());
    let mut response = next.run(request).await;
    let cookie = auth_cookie(BROWSER_COOKIE, id.0, secure);
    if let Ok(value) = HeaderValue::from_str(&cookie.to_string()) {
        response.headers_mut().append(SET_COOKIE, value);
    }
    response
}

/// Whether the client reached us over https: the URI says so (TLS
/// terminated here), or the load balancer in front says so.
pub fn is_https(headers: &axum::http::HeaderMap, uri: &axum::http::Uri) -> bool {
    uri.scheme_str() == Some("https")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}

/// A cookie with the attributes every cookie of ours has.
pub fn auth_cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .path("/")
        .build()
}

/// The current user, looked up once per request and remembered in the
/// request's extensions.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Option<String>);

impl CurrentUser {
    pub async fn lookup(parts: &mut Parts, auth: &Auth) -> Result<Self, sqlx::Error> {
        if let Some(known) = parts.extensions.get::<Self>() {
            return Ok(known.clone());
        }
        let user = Self(auth.current_user(&parts.headers).await?);
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    Auth: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = crate::web::PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Self::lookup(parts, &Auth::from_ref(state))
            .await
            .map_err(|e| crate::web::PageError::unavailable("the session store", &e))
    }
}
