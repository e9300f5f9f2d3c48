//! The one retry schedule every loop in the system uses ([`backoff`]), and
//! (feature `http`) the one policy of the HTTP clients ([`HttpRetryPolicy`],
//! used by the embedding-service client and both Pinecone planes) with how
//! a failed HTTP call is read: the server's `Retry-After`, a one-line
//! account of a request that got no response, and the start of an error
//! body ([`shorten`]).

#[cfg(feature = "http")]
mod http;

use std::time::{Duration, SystemTime};

use backon::{BackoffBuilder, ExponentialBuilder};

#[cfg(feature = "http")]
pub use self::http::{HttpRetryPolicy, Retry, describe_transport_error, retry_after};

/// Exponential backoff with jitter, from `min` doubling to `max`, forever.
///
/// Forever, because the callers (pelican's relay and sender, emu's receivers
/// and batches) must never give up on a change while a dependency heals:
/// they stop only on shutdown. Jitter keeps several replicas from retrying
/// in lockstep against a recovering service.
pub fn backoff(min: Duration, max: Duration) -> impl Iterator<Item = Duration> {
    ExponentialBuilder::default()
        .with_min_delay(min)
        .with_max_delay(max)
        .with_jitter()
        .without_max_times()
        .build()
}

/// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3). A date
/// in the past means "now".
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    // Not in the RFC, but some proxies send fractional seconds.
    if let Ok(seconds) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(seconds).ok();
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// At most `max_chars` characters of `text`, with `…` where it was cut: an
/// error body quoted in a message can be a whole HTML page, a message body
/// quoted in an alert a whole product description.
pub fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use super::{parse_retry_after, shorten};

    #[test]
    fn reads_both_forms_of_retry_after() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(parse_retry_after("7", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after(" 0.5 ", now),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-1", now), None);
    }

    #[test]
    fn shortens_on_a_character_boundary() {
        assert_eq!(shorten("abc", 3), "abc");
        assert_eq!(shorten("abcd", 3), "abc…");
        assert_eq!(shorten("ééé", 2), "éé…");
    }

    #[test]
    fn grows_and_is_capped() {
        let delays: Vec<_> = super::backoff(Duration::from_millis(100), Duration::from_secs(1))
            .take(12)
            .collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(2)));
        assert!(delays[11] >= Duration::from_secs(1));
    }
}
