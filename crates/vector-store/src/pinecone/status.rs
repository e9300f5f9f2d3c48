//! What a failed Pinecone response means: which [`VectorStoreError`] it
//! stands for, and so whether the system's HTTP retry policy
//! ([`sync_core::retry::HttpRetryPolicy`]) tries again.

use reqwest::header::HeaderMap;

use super::wire::RpcStatus;
use crate::VectorStoreError;

/// The error an unsuccessful response stands for: 429 throttled, 408 and
/// 5xx unavailable (both retryable), any other status permanent.
pub(super) fn error_for_status(status: u16, headers: &HeaderMap, body: &str) -> VectorStoreError {
    let message = serde_json::from_str::<RpcStatus>(body)
        .ok()
        .and_then(|s| s.message)
        .unwrap_or_else(|| body.to_owned());
    let message = sync_core::retry::shorten(&message, 500);
    classify(status, sync_core::retry::retry_after(headers), message)
}

/// The error a status stands for, on either plane.
pub(super) fn classify(
    status: u16,
    retry_after: Option<std::time::Duration>,
    message: String,
) -> VectorStoreError {
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
        message: sync_core::retry::describe_transport_error(error),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
