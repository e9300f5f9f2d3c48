//! When and how long to retry a Pinecone request, and what a failed
//! response means.
//!
//! Retries here are short and bounded on purpose: the caller (emu) holds an
//! SQS message while we wait. After the last attempt the error stays
//! retryable, so emu leaves the message unacknowledged and SQS redelivers
//! it later (and dead-letters it after maxReceiveCount) — the outage is
//! ridden out by the queue, not by a sleeping task.

use std::time::Duration;

use backon::ExponentialBuilder;
use reqwest::header::HeaderMap;

use super::wire::RpcStatus;
use crate::vector_store::VectorStoreError;

/// How a [`PineconeStore`](super::PineconeStore) retries throttled or failed
/// requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: usize,
    /// First backoff delay; doubles per attempt, with random jitter (so
    /// that many clients throttled together do not come back together).
    pub min_delay: Duration,
    /// Cap of one backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` waited for in place. A longer one ends the
    /// retries at once with a retryable error that carries the wait, so
    /// the caller can hand it to the queue (e.g. as a visibility timeout)
    /// instead of holding its messages.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    /// 6 attempts over at most ~15 s of backoff.
    fn default() -> Self {
        Self {
            max_attempts: 6,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    pub(super) fn backoff(&self) -> ExponentialBuilder {
        ExponentialBuilder::default()
            .with_min_delay(self.min_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_attempts.saturating_sub(1))
            .with_jitter()
    }

    /// The wait before the next attempt: the backoff's, or longer if the
    /// service asked for longer. `None` (give up) when the attempts are used
    /// up or the service asked for more than we wait in place.
    pub(super) fn next_delay(
        &self,
        error: &VectorStoreError,
        backoff: Option<Duration>,
    ) -> Option<Duration> {
        let backoff = backoff?;
        match error.retry_after() {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait.max(backoff)),
            None => Some(backoff),
        }
    }
}

/// The error an unsuccessful response stands for: 429 throttled, 408 and
/// 5xx unavailable (both retryable), any other status permanent.
pub(super) fn error_for_status(status: u16, headers: &HeaderMap, body: &str) -> VectorStoreError {
    let retry_after = crate::retry::retry_after(headers);
    let message = serde_json::from_str::<RpcStatus>(body)
        .ok()
        .and_then(|s| s.message)
        .unwrap_or_else(|| body.to_owned());
    let message = crate::retry::shorten(&message, 500);
    match status {
        429 => VectorStoreError::Throttled {
            retry_after,
            message,
        },
        408 | 500..=599 => VectorStoreError::Unavailable {
            status: Some(status),
            retry_after,
            message,
        },
        400..=499 => VectorStoreError::Rejected { status, message },
        // A redirect loop or an informational status: not an answer.
        _ => VectorStoreError::Protocol(format!("HTTP {status}: {message}")),
    }
}

/// A request that got no response: nothing says the next one won't.
pub(super) fn transport_error(error: &reqwest::Error) -> VectorStoreError {
    VectorStoreError::Unavailable {
        status: None,
        retry_after: None,
        message: crate::retry::describe_transport_error(error),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn honours_retry_after_within_the_cap() {
        let policy = RetryPolicy::default();
        let throttled = |secs| VectorStoreError::Throttled {
            retry_after: Some(Duration::from_secs(secs)),
            message: String::new(),
        };
        let backoff = Some(Duration::from_millis(300));
        assert_eq!(
            policy.next_delay(&throttled(2), backoff),
            Some(Duration::from_secs(2))
        );
        assert_eq!(policy.next_delay(&throttled(0), backoff), backoff);
        assert_eq!(policy.next_delay(&throttled(3_600), backoff), None);
        assert_eq!(policy.next_delay(&throttled(2), None), None);
    }

    #[test]
    fn statuses_map_to_retryability() {
        let headers = HeaderMap::new();
        let body = r#"{"code":3,"message":"Vector dimension 3 does not match the dimension of the index 384"}"#;
        let rejected = error_for_status(400, &headers, body);
        assert!(!rejected.is_retryable());
        assert!(rejected.to_string().contains("does not match"));
        assert!(!error_for_status(401, &headers, "").is_retryable());
        for status in [408, 429, 500, 502, 503] {
            assert!(
                error_for_status(status, &headers, "").is_retryable(),
                "{status}"
            );
        }
    }
}
