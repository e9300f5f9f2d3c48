//! The control plane on the wire: the request and response bodies as
//! `db_control.oas.yaml` names them (only the fields this client sets or
//! reads), reading a response whole, and what an unsuccessful status means.

use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};

use super::super::status::{classify, transport_error};
use crate::VectorStoreError;

/// A response, read whole.
pub(super) struct Body {
    pub(super) headers: HeaderMap,
    pub(super) bytes: Vec<u8>,
}

pub(super) async fn read(response: reqwest::Response) -> Result<(u16, Body), VectorStoreError> {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    // A body cut off mid-way is a transport failure like any other.
    let bytes = response
        .bytes()
        .await
        .map_err(|e| transport_error(&e))?
        .to_vec();
    Ok((status, Body { headers, bytes }))
}

pub(super) fn parse(body: &Body, operation: &str) -> Result<IndexModel, VectorStoreError> {
    serde_json::from_slice(&body.bytes).map_err(|e| {
        VectorStoreError::Protocol(format!("reading the response of {operation}: {e}"))
    })
}

/// What an unsuccessful response means: a refused key names the setting,
/// 429/408/5xx are retryable, any other 4xx is permanent.
pub(super) fn error_for_status(status: u16, headers: &HeaderMap, body: &[u8]) -> VectorStoreError {
    let message = error_message(body);
    if status == 401 {
        return VectorStoreError::Config(format!(
            "the Pinecone control plane refused PINECONE_API_KEY (HTTP 401): {message}"
        ));
    }
    classify(status, sync_core::retry::retry_after(headers), message)
}

/// `ErrorResponse.error` as `CODE: message`, or the start of a body that
/// is not one (a proxy's error page).
fn error_message(body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorResponse>(body) {
        Ok(ErrorResponse { error }) => format!("{}: {}", error.code, error.message),
        Err(_) => String::from_utf8_lossy(body).chars().take(300).collect(),
    }
}

/// `CreateIndexRequest` (only the fields this system sets; the rest keep
/// their defaults: dense vectors, deletion protection off).
#[derive(Debug, Serialize)]
pub(super) struct CreateIndexRequest<'a> {
    pub(super) name: &'a str,
    pub(super) dimension: usize,
    pub(super) metric: &'static str,
    pub(super) spec: IndexSpec<'a>,
}

/// `IndexSpec`, serverless variant.
#[derive(Debug, Serialize)]
pub(super) struct IndexSpec<'a> {
    pub(super) serverless: ServerlessSpec<'a>,
}

/// `ServerlessSpec`.
#[derive(Debug, Serialize)]
pub(super) struct ServerlessSpec<'a> {
    pub(super) cloud: &'a str,
    pub(super) region: &'a str,
}

/// `IndexModel`: the fields this client reads.
#[derive(Debug, Deserialize)]
pub(super) struct IndexModel {
    /// Absent for sparse indexes.
    #[serde(default)]
    pub(super) dimension: Option<u64>,
    pub(super) metric: String,
    pub(super) host: String,
    pub(super) status: IndexStatus,
    #[serde(default)]
    pub(super) vector_type: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(super) struct IndexStatus {
    pub(super) ready: bool,
    #[serde(default)]
    pub(super) state: String,
}

/// `ErrorResponse`.
#[derive(Debug, Deserialize)]
struct ErrorResponse {
    error: ErrorDetail,
}

#[derive(Debug, Deserialize)]
struct ErrorDetail {
    code: String,
    message: String,
}
#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::time::Duration;

    use super::*;

    #[test]
    fn statuses_map_to_errors() {
        let headers = HeaderMap::new();
        let body =
            br#"{"error":{"code":"UNAUTHENTICATED","message":"Invalid API key."},"status":401}"#;
        let err = error_for_status(401, &headers, body);
        assert!(!err.is_retryable());
        assert!(err.to_string().contains("PINECONE_API_KEY"), "{err}");
        assert!(
            err.to_string()
                .contains("UNAUTHENTICATED: Invalid API key."),
            "{err}"
        );
        assert!(!error_for_status(400, &headers, b"").is_retryable());
        assert!(!error_for_status(403, &headers, b"").is_retryable());
        for status in [408, 429, 500, 503] {
            assert!(
                error_for_status(status, &headers, b"").is_retryable(),
                "{status}"
            );
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::RETRY_AFTER,
            reqwest::header::HeaderValue::from_static("3"),
        );
        assert_eq!(
            error_for_status(503, &headers, b"<html>").retry_after(),
            Some(Duration::from_secs(3))
        );
    }
}
