//! [`OpenAiEmbedder`]: embeddings from an OpenAI-compatible
//! `POST {base}/v1/embeddings` endpoint (OpenAI itself, or a self-hosted
//! text-embeddings server serving all-MiniLM-L6-v2).
//!
//! Texts are sent in batches of `batch_size`; each response's `data[]` is put
//! back in input order by its `index`. Throttling (429), 408, 5xx, timeouts
//! and connection errors are retried a bounded number of times with the
//! project's backoff, waiting at least as long as `Retry-After` asks; after
//! that the error stays retryable so that the caller (emu) leaves its
//! messages to the queue's redelivery rather than holding them. So are
//! 401/403/404 (a deployment fault, not the texts'). Any other 4xx, and a
//! response of the wrong shape or dimension, is permanent.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

use super::{DIMENSION, EmbedError, Embedder};
use sync_core::retry::{self, HttpRetryPolicy, Retry};
use sync_core::settings::{HttpUrl, Secret};

/// Where and how to call the embedding service.
#[derive(Debug, Clone)]
pub struct OpenAiSettings {
    /// Base URL; `/v1/embeddings` is appended.
    pub base_url: HttpUrl,
    /// Sent as `Authorization: Bearer …` when set.
    pub api_key: Option<Secret>,
    /// The `model` of every request.
    pub model: String,
    /// Texts per request.
    pub batch_size: usize,
    /// Timeout of one request, connecting included.
    pub timeout: Duration,
}

pub struct OpenAiEmbedder {
    http: reqwest::Client,
    url: String,
    model: String,
    batch_size: usize,
    retry: HttpRetryPolicy,
}

impl std::fmt::Debug for OpenAiEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiEmbedder")
            .field("url", &self.url)
            .field("model", &self.model)
            .field("batch_size", &self.batch_size)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct EmbeddingsRequest<'a> {
    model: &'a str,
    input: &'a [String],
}

#[derive(Deserialize)]
struct EmbeddingsResponse {
    data: Vec<EmbeddingItem>,
}

#[derive(Deserialize)]
struct EmbeddingItem {
    index: usize,
    embedding: Vec<f32>,
}

/// A failed attempt, with how long the service asked us to wait.
struct Failure {
    error: EmbedError,
    retry_after: Option<Duration>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl Failure {
    fn permanent(message: String) -> Self {
        Self {
            error: EmbedError::Remote {
                message,
                retryable: false,
            },
            retry_after: None,
        }
    }
}

impl OpenAiEmbedder {
    /// Fails only if the HTTP client cannot be built (an API key that is not
    /// a valid header value, or no TLS backend). Contacts nothing.
    pub fn new(settings: OpenAiSettings) -> Result<Self, EmbedError> {
        let config = |message: String| EmbedError::Remote {
            message,
            retryable: false,
        };
        let mut headers = HeaderMap::new();
        if let Some(key) = &settings.api_key {
            let mut value = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
                .map_err(|_| config("EMBEDDING_API_KEY is not a valid HTTP header value".into()))?;
            // Keeps it out of reqwest's Debug output and any header logging.
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout.min(Duration::from_secs(5)))
            .build()
            .map_err(|e| config(format!("building the HTTP client: {e}")))?;
        Ok(Self {
            http,
            url: format!("{}/v1/embeddings", settings.base_url.0),
            model: settings.model,
            batch_size: settings.batch_size.max(1),
            retry: HttpRetryPolicy::default(),
        })
    }

    /// Replace the default retry policy (tests use short delays).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: HttpRetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// One batch, retried while the failure is retryable and attempts and
    /// patience last.
    async fn embed_batch(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.retry
            .run(
                "embedding request",
                || self.request(texts),
                |failure: &Failure| {
                    if failure.error.is_retryable() {
                        Retry::After(failure.retry_after)
                    } else {
                        Retry::Never
                    }
                },
            )
            .await
            .map_err(|failure| failure.error)
    }

    async fn request(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, Failure> {
        let response = self
            .http
            .post(&self.url)
            .json(&EmbeddingsRequest {
                model: &self.model,
                input: texts,
            })
            .send()
            .await
            .map_err(|e| transport_failure(&e))?;
        let status = response.status();
        let retry_after = retry::retry_after(response.headers());
        // A body cut off mid-way is a transport failure like any other.
        let body = response.bytes().await.map_err(|e| transport_failure(&e))?;
        if !status.is_success() {
            // 401/403/404 say the deployment is wrong (key, URL, model), not
            // the texts: every text would fail alike, so they are retried
            // (and the caller waits for a fix) rather than dead-lettering
            // the whole stream. Other 4xx refuse these texts for good.
            let retryable = matches!(status.as_u16(), 401 | 403 | 404 | 408 | 429 | 500..=599);
            let text = String::from_utf8_lossy(&body);
            return Err(Failure {
                error: EmbedError::Remote {
                    message: format!("HTTP {status}: {}", retry::shorten(&text, 500)),
                    retryable,
                },
                retry_after,
            });
        }
        let parsed: EmbeddingsResponse = serde_json::from_slice(&body)
            .map_err(|e| Failure::permanent(format!("reading the response: {e}")))?;
        in_input_order(parsed.data, texts.len()).map_err(Failure::permanent)
    }
}

#[async_trait::async_trait]
impl Embedder for OpenAiEmbedder {
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut vectors = Vec::with_capacity(texts.len());
        for batch in texts.chunks(self.batch_size) {
            vectors.extend(self.embed_batch(batch).await?);
        }
        Ok(vectors)
    }
}

/// `data[]` back in input order, each vector checked and L2-normalised
/// (OpenAI's are already unit length; other servers' may not be).
fn in_input_order(data: Vec<EmbeddingItem>, expected: usize) -> Result<Vec<Vec<f32>>, String> {
    if data.len() != expected {
        return Err(format!(
            "{} embeddings returned for {expected} texts",
            data.len()
        ));
    }
    let mut slots: Vec<Option<Vec<f32>>> = vec![None; expected];
    for item in data {
        if item.embedding.len() != DIMENSION {
            return Err(format!(
                "the model returned {} dimensions, the index needs {DIMENSION}",
                item.embedding.len()
            ));
        }
        let slot = slots
            .get_mut(item.index)
            .ok_or_else(|| format!("embedding index {} out of range", item.index))?;
        if slot.is_some() {
            return Err(format!("embedding index {} returned twice", item.index));
        }
        *slot = Some(normalised(item.embedding)?);
    }
    // Every slot is filled: `expected` distinct in-range indices.
    Ok(slots.into_iter().flatten().collect())
}

fn normalised(mut vector: Vec<f32>) -> Result<Vec<f32>, String> {
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if !norm.is_finite() || norm == 0.0 {
        return Err("the model returned a zero or non-finite vector".into());
    }
    vector.iter_mut().for_each(|x| *x /= norm);
    Ok(vector)
}

/// A request that got no response: nothing says the next one won't.
fn transport_failure(error: &reqwest::Error) -> Failure {
    Failure {
        error: EmbedError::Remote {
            message: retry::describe_transport_error(error),
            retryable: true,
        },
        retry_after: None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn item(index: usize, value: f32) -> EmbeddingItem {
        EmbeddingItem {
            index,
            embedding: vec![value; DIMENSION],
        }
    }

    #[test]
    fn orders_by_index_and_normalises() {
        let vectors = in_input_order(vec![item(1, 2.0), item(0, -3.0)], 2).unwrap();
        assert!(vectors[0][0] < 0.0 && vectors[1][0] > 0.0);
        for v in &vectors {
            let norm: f32 = v.iter().map(|x| x * x).sum();
            assert!((norm - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn rejects_bad_responses() {
        assert!(in_input_order(vec![item(0, 1.0)], 2).is_err());
        assert!(in_input_order(vec![item(0, 1.0), item(0, 1.0)], 2).is_err());
        assert!(in_input_order(vec![item(0, 1.0), item(2, 1.0)], 2).is_err());
        assert!(in_input_order(vec![item(0, 0.0)], 1).is_err());
        let short = EmbeddingItem {
            index: 0,
            embedding: vec![1.0; 1536],
        };
        assert!(in_input_order(vec![short], 1).unwrap_err().contains("1536"));
    }
}
