//! Retrying HTTP calls: one policy for every HTTP client of the system (the
//! embedding service, Pinecone's data and control planes), and reading a
//! failed call.
//!
//! Retries here are short and bounded on purpose: the caller (emu) holds
//! SQS messages while we wait. After the last attempt the error stays
//! retryable, so emu leaves the messages unacknowledged and SQS redelivers
//! them later — a long outage is ridden out by the queue, not by a sleeping
//! task.

use std::fmt::Display;
use std::future::Future;
use std::time::{Duration, SystemTime};

use super::{backoff, parse_retry_after};

/// How an HTTP client retries throttled or failed requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpRetryPolicy {
    /// Attempts per request, the first included.
    pub max_attempts: usize,
    /// First backoff delay; doubles per attempt, with random jitter (so
    /// that many clients throttled together do not come back together).
    pub min_delay: Duration,
    /// Cap of one backoff delay.
    pub max_delay: Duration,
    /// The longest `Retry-After` waited for in place. A longer one ends the
    /// retries at once with the (retryable) error, so the caller can hand
    /// the wait to the queue instead of holding its messages.
    pub max_retry_after: Duration,
}

impl Default for HttpRetryPolicy {
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

/// What a failed attempt allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Trying again cannot help (a 4xx refusal, a malformed answer).
    Never,
    /// Trying again may help, after at least the server's `Retry-After`.
    After(Option<Duration>),
}

impl HttpRetryPolicy {
    /// Run `attempt` until it succeeds, `classify` says [`Retry::Never`],
    /// the attempts are used up, or the server asks for a longer wait than
    /// [`Self::max_retry_after`]; the last error is returned. Each retry is
    /// logged with `what`.
    pub async fn run<T, E, F, Fut>(
        &self,
        what: &str,
        mut attempt: F,
        classify: impl Fn(&E) -> Retry,
    ) -> Result<T, E>
    where
        E: Display,
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let mut delays =
            backoff(self.min_delay, self.max_delay).take(self.max_attempts.saturating_sub(1));
        loop {
            let error = match attempt().await {
                Ok(value) => return Ok(value),
                Err(error) => error,
            };
            let Retry::After(asked) = classify(&error) else {
                return Err(error);
            };
            let Some(wait) = self.next_delay(asked, delays.next()) else {
                return Err(error);
            };
            tracing::warn!(%error, ?wait, what, "request failed; retrying");
            tokio::time::sleep(wait).await;
        }
    }

    /// The wait before the next attempt: the backoff's, or longer if the
    /// server asked for longer. `None` (give up) when the attempts are used
    /// up or the server asked for more than we wait in place.
    fn next_delay(&self, asked: Option<Duration>, backoff: Option<Duration>) -> Option<Duration> {
        let backoff = backoff?;
        match asked {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait.max(backoff)),
            None => Some(backoff),
        }
    }
}

/// A response's `Retry-After`, read against the clock now.
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| parse_retry_after(v, SystemTime::now()))
}

/// One line for a request that got no (whole) response: what kind of
/// failure, then reqwest's account of it.
pub fn describe_transport_error(error: &reqwest::Error) -> String {
    let what = if error.is_timeout() {
        "request timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    format!("{what}: {error}")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[test]
    fn honours_retry_after_within_the_cap() {
        let policy = HttpRetryPolicy::default();
        let backoff = Some(Duration::from_millis(300));
        let secs = |s| Some(Duration::from_secs(s));
        assert_eq!(policy.next_delay(secs(2), backoff), secs(2));
        assert_eq!(policy.next_delay(secs(0), backoff), backoff);
        assert_eq!(policy.next_delay(None, backoff), backoff);
        assert_eq!(policy.next_delay(secs(3_600), backoff), None);
        assert_eq!(policy.next_delay(secs(2), None), None);
    }

    fn quick(max_attempts: usize) -> HttpRetryPolicy {
        HttpRetryPolicy {
            max_attempts,
            min_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
            max_retry_after: Duration::from_secs(1),
        }
    }

    #[tokio::test]
    async fn retries_until_success_or_the_attempts_are_used_up() {
        let calls = AtomicUsize::new(0);
        let flaky = || async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            if n < 2 {
                Err(format!("failure {n}"))
            } else {
                Ok(n)
            }
        };
        let retryable = |_: &String| Retry::After(None);
        assert_eq!(quick(3).run("test", flaky, retryable).await, Ok(2));
        calls.store(0, Ordering::SeqCst);
        assert_eq!(
            quick(2).run("test", flaky, retryable).await,
            Err("failure 1".to_owned())
        );
    }

    #[tokio::test]
    async fn stops_at_once_when_retrying_cannot_help() {
        let calls = AtomicUsize::new(0);
        let result: Result<(), String> = quick(5)
            .run(
                "test",
                || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Err("refused".to_owned())
                },
                |_| Retry::Never,
            )
            .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // A Retry-After beyond the cap also ends the retries at once.
        let result: Result<(), String> = quick(5)
            .run(
                "test",
                || async { Err("throttled".to_owned()) },
                |_| Retry::After(Some(Duration::from_secs(60))),
            )
            .await;
        assert_eq!(result, Err("throttled".to_owned()));
    }
}
