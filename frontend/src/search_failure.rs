//! What a failed search tells the user (page or API), and with which status.

use crate::search::SearchError;
use axum::http::StatusCode;
use embedding::EmbedError;
use vector_store::VectorStoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchFailure {
    pub status: StatusCode,
    pub message: String,
}

impl From<&SearchError> for SearchFailure {
    /// The request's own fault → 422 with the reason; a dependency that is
    /// down → 503 ("try again"); anything else → 500 without internals.
    /// Causes are logged, never shown.
    fn from(error: &SearchError) -> Self {
        let (status, message) = match error {
            SearchError::InvalidRequest(reason) => {
                (StatusCode::UNPROCESSABLE_ENTITY, reason.clone())
            }
            SearchError::Embed(EmbedError::Tokenize(_))
            | SearchError::Store(VectorStoreError::InvalidInput(_)) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "this query cannot be searched; try other words".to_owned(),
            ),
            SearchError::Embed(_) if error.is_retryable() => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the search model is not available right now; please try again in a moment"
                    .to_owned(),
            ),
            SearchError::Store(_) if error.is_retryable() => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the search index is not available right now; please try again in a moment"
                    .to_owned(),
            ),
            SearchError::Database(_) if error.is_retryable() => (
                StatusCode::SERVICE_UNAVAILABLE,
                "the product database is not available right now; please try again in a moment"
                    .to_owned(),
            ),
            _ => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the search failed because of a fault on our side; it has been logged".to_owned(),
            ),
        };
        if status.is_server_error() {
            tracing::error!(error = %error, "search failed");
        }
        Self { status, message }
    }
}
