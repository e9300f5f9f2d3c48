//! Login sessions, kept in Postgres (`frontend_sessions`) so that every
//! replica sees them and logout revokes everywhere.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

#[derive(Clone, Debug)]
pub struct Sessions {
    pool: PgPool,
    ttl: Duration,
}

impl Sessions {
    pub fn new(pool: PgPool, ttl: Duration) -> Self {
        Self { pool, ttl }
    }

    /// Start a session for `username`; returns the token for the cookie.
    /// Expired sessions are swept here: logins are rare, and this keeps the
    /// table small without a background job.
    pub async fn create(&self, username: &str) -> Result<String, sqlx::Error> {
        let token = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        sqlx::query("DELETE FROM frontend_sessions WHERE expires_at < now()")
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO frontend_sessions (token_sha256, username, expires_at)
             VALUES ($1, $2, now() + make_interval(secs => $3))",
        )
        .bind(digest(&token))
        .bind(username)
        .bind(self.ttl.as_secs_f64())
        .execute(&self.pool)
        .await?;
        Ok(token)
    }

    /// The user of a live session, if `token` is one.
    pub async fn user(&self, token: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT username FROM frontend_sessions
             WHERE token_sha256 = $1 AND expires_at > now()",
        )
        .bind(digest(token))
        .fetch_optional(&self.pool)
        .await
    }

    /// End the session (logout). Unknown tokens are not an error.
    pub async fn revoke(&self, token: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM frontend_sessions WHERE token_sha256 = $1")
            .bind(digest(token))
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}
