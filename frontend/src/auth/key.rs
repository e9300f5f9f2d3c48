//! The server key (`FRONTEND_SESSION_KEY`) and what is derived from it:
//! CSRF tokens, and constant-time comparison of API keys.
//!
//! A CSRF token is HMAC-SHA256(key, browser id), where the browser id is a
//! random value in an HttpOnly cookie. A page embeds the token in its
//! forms; a cross-site attacker can neither read the cookie nor compute the
//! HMAC without the key, so a forged form post carries no valid token. The
//! HMAC (rather than echoing the cookie, "double submit") also defeats an
//! attacker who can plant cookies from a sibling subdomain.

use std::str::FromStr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use sync_core::settings::Secret;

type HmacSha256 = Hmac<Sha256>;

/// Shortest accepted key, in bytes: 256 bits of text.
const MIN_KEY_BYTES: usize = 32;

#[derive(Clone, Debug)]
pub struct ServerKey(Secret);

impl FromStr for ServerKey {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() < MIN_KEY_BYTES {
            return Err(format!(
                "must be at least {MIN_KEY_BYTES} characters (e.g. `openssl rand -hex 32`)"
            ));
        }
        Ok(Self(Secret::new(s)))
    }
}

impl ServerKey {
    fn mac(&self, purpose: &str, value: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length, so this cannot fail.
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(self.0.expose().as_bytes())
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        // The purpose separates the uses of one key from each other.
        mac.update(purpose.as_bytes());
        mac.update(b"\0");
        mac.update(value);
        mac
    }

    /// The CSRF token of the browser holding `browser_id`.
    pub fn csrf_token(&self, browser_id: &str) -> String {
        URL_SAFE_NO_PAD.encode(
            self.mac("csrf", browser_id.as_bytes())
                .finalize()
                .into_bytes(),
        )
    }

    /// Whether `token` is the CSRF token of `browser_id` (constant time).
    pub fn csrf_token_is_valid(&self, browser_id: &str, token: &str) -> bool {
        let Ok(tag) = URL_SAFE_NO_PAD.decode(token.trim()) else {
            return false;
        };
        self.mac("csrf", browser_id.as_bytes())
            .verify_slice(&tag)
            .is_ok()
    }

    /// Whether `presented` equals `expected`, in time independent of where
    /// they differ: both are MACed and the tags compared in constant time.
    pub fn api_key_matches(&self, expected: &Secret, presented: &str) -> bool {
        let tag = self
            .mac("api-key", expected.expose().as_bytes())
            .finalize()
            .into_bytes();
        self.mac("api-key", presented.as_bytes())
            .verify_slice(&tag)
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key(s: &str) -> ServerKey {
        s.parse().unwrap()
    }

    #[test]
    fn csrf_tokens_belong_to_one_browser_and_one_key() {
        let k = key("0123456789abcdef0123456789abcdef");
        let token = k.csrf_token("browser-a");
        assert!(k.csrf_token_is_valid("browser-a", &token));
        assert!(!k.csrf_token_is_valid("browser-b", &token));
        assert!(!k.csrf_token_is_valid("browser-a", "not base64 at all!"));
        assert!(!k.csrf_token_is_valid("browser-a", ""));
        let other = key("fedcba9876543210fedcba9876543210");
        assert!(!other.csrf_token_is_valid("browser-a", &token));
    }

    #[test]
    fn api_keys_compare_by_value_and_short_keys_are_refused() {
        let k = key("0123456789abcdef0123456789abcdef");
        let expected = Secret::new("s3cret-api-key");
        assert!(k.api_key_matches(&expected, "s3cret-api-key"));
        assert!(!k.api_key_matches(&expected, "s3cret-api-kez"));
        assert!(!k.api_key_matches(&expected, ""));
        let err = "short".parse::<ServerKey>().unwrap_err();
        assert!(!err.contains("short"), "{err}");
    }
}
