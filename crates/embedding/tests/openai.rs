//! `OpenAiEmbedder` against a local axum double of `POST /v1/embeddings`
//! that records every request and can be told to fail. No network.
#![allow(clippy::unwrap_used)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use embedding::{
    DIMENSION, Embedder, EmbedderKind, EmbedderSettings, OpenAiEmbedder, OpenAiSettings,
};
use serde_json::{Value, json};
use sync_core::retry::HttpRetryPolicy;
use sync_core::settings::Secret;

/// What the double answers to the next requests, in order; when the
/// script is empty it answers with embeddings.
#[derive(Clone, Copy)]
enum Reply {
    Status(u16, Option<&'static str>),
    WrongDimension,
}

#[derive(Debug, Clone)]
struct Seen {
    authorization: Option<String>,
    model: String,
    input: Vec<String>,
}

#[derive(Clone, Default)]
struct DoubleState {
    script: Arc<Mutex<VecDeque<Reply>>>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

struct Double {
    url: String,
    state: DoubleState,
}

impl Double {
    async fn start() -> Self {
        let state = DoubleState::default();
        let app = Router::new()
            .route("/v1/embeddings", post(embeddings))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, state }
    }

    fn fail_next(&self, replies: &[Reply]) {
        self.state
            .script
            .lock()
            .unwrap()
            .extend(replies.iter().cloned());
    }

    fn seen(&self) -> Vec<Seen> {
        self.state.seen.lock().unwrap().clone()
    }
}

/// The double's embedding of a text: not unit length (the client must
/// normalise) and different for every text (so order mistakes show).
fn raw_embedding(text: &str, dimension: usize) -> Vec<f32> {
    let seed = text
        .bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b.into()));
    (0..dimension)
        .map(|i| ((seed.wrapping_add(i as u32 * 2_654_435_761) % 1000) as f32 - 500.0) / 50.0)
        .collect()
}

fn unit(v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / norm).collect()
}

async fn embeddings(
    State(state): State<DoubleState>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let input: Vec<String> = serde_json::from_value(body["input"].clone()).unwrap();
    state.seen.lock().unwrap().push(Seen {
        authorization: headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned()),
        model: body["model"].as_str().unwrap().to_owned(),
        input: input.clone(),
    });
    let reply = state.script.lock().unwrap().pop_front();
    let dimension = match reply {
        Some(Reply::Status(status, retry_after)) => {
            let status = StatusCode::from_u16(status).unwrap();
            let error = Json(json!({"error": {"message": "scripted failure", "type": "test"}}));
            return match retry_after {
                Some(wait) => (status, [("retry-after", wait)], error).into_response(),
                None => (status, error).into_response(),
            };
        }
        Some(Reply::WrongDimension) => 1536,
        None => DIMENSION,
    };
    // Reversed, as the API does not promise order: `index` is what counts.
    let data: Vec<Value> = input
        .iter()
        .enumerate()
        .rev()
        .map(|(index, text)| {
            json!({"object": "embedding", "index": index, "embedding": raw_embedding(text, dimension)})
        })
        .collect();
    Json(json!({"object": "list", "data": data, "model": body["model"], "usage": {"prompt_tokens": 1, "total_tokens": 1}}))
        .into_response()
}

fn embedder(double: &Double, batch_size: usize) -> OpenAiEmbedder {
    OpenAiEmbedder::new(OpenAiSettings {
        base_url: double.url.parse().unwrap(),
        api_key: Some(Secret::new("sk-test-123")),
        model: "all-MiniLM-L6-v2".into(),
        batch_size,
        timeout: Duration::from_secs(5),
    })
    .unwrap()
    .with_retry_policy(HttpRetryPolicy {
        max_attempts: 4,
        min_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(50),
        max_retry_after: Duration::from_secs(5),
    })
}

fn texts(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| format!("product {i}: a sturdy thing"))
        .collect()
}

#[tokio::test]
async fn batches_keep_input_order_and_are_normalised() {
    let double = Double::start().await;
    let texts = texts(10);
    let vectors = embedder(&double, 4).embed(&texts).await.unwrap();

    let sizes: Vec<usize> = double.seen().iter().map(|s| s.input.len()).collect();
    assert_eq!(sizes, [4, 4, 2]);
    let sent: Vec<String> = double.seen().into_iter().flat_map(|s| s.input).collect();
    assert_eq!(sent, texts);
    assert!(double.seen().iter().all(|s| s.model == "all-MiniLM-L6-v2"));
    assert_eq!(vectors.len(), texts.len());
    for (text, vector) in texts.iter().zip(&vectors) {
        let expected = unit(raw_embedding(text, DIMENSION));
        assert!(
            vector
                .iter()
                .zip(&expected)
                .all(|(a, b)| (a - b).abs() < 1e-6),
            "{text}"
        );
    }
    assert!(embedder(&double, 4).embed(&[]).await.unwrap().is_empty());
    assert_eq!(double.seen().len(), 3, "no request for an empty input");
}

#[tokio::test]
async fn sends_the_api_key_as_a_bearer_token_and_never_prints_it() {
    let double = Double::start().await;
    let with_key = embedder(&double, 8);
    with_key.embed(&texts(1)).await.unwrap();
    assert_eq!(
        double.seen()[0].authorization.as_deref(),
        Some("Bearer sk-test-123")
    );
    assert!(!format!("{with_key:?}").contains("sk-test-123"));

    let without_key = OpenAiEmbedder::new(OpenAiSettings {
        base_url: double.url.parse().unwrap(),
        api_key: None,
        model: "m".into(),
        batch_size: 8,
        timeout: Duration::from_secs(5),
    })
    .unwrap();
    without_key.embed(&texts(1)).await.unwrap();
    assert_eq!(double.seen()[1].authorization, None);
}

#[tokio::test]
async fn retries_throttling_and_server_errors_honouring_retry_after() {
    let double = Double::start().await;
    double.fail_next(&[Reply::Status(429, Some("1")), Reply::Status(500, None)]);
    let started = Instant::now();
    let vectors = embedder(&double, 8).embed(&texts(3)).await.unwrap();
    assert_eq!(vectors.len(), 3);
    assert_eq!(double.seen().len(), 3, "429, 500, then success");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
}

#[tokio::test]
async fn gives_up_retryably_when_the_service_stays_down() {
    let double = Double::start().await;
    double.fail_next(&[Reply::Status(503, None); 4]);
    let err = embedder(&double, 8).embed(&texts(2)).await.unwrap_err();
    assert!(err.is_retryable(), "{err}");
    assert_eq!(double.seen().len(), 4, "max_attempts requests");
}

#[tokio::test]
async fn client_errors_are_permanent_and_not_retried() {
    let double = Double::start().await;
    double.fail_next(&[Reply::Status(400, None)]);
    let err = embedder(&double, 8).embed(&texts(2)).await.unwrap_err();
    assert!(!err.is_retryable(), "{err}");
    assert!(err.to_string().contains("400"), "{err}");
    assert_eq!(double.seen().len(), 1);

    // A rejected key is the deployment's fault, not the texts': retried.
    double.fail_next(&[Reply::Status(401, None)]);
    embedder(&double, 8).embed(&texts(2)).await.unwrap();
    assert_eq!(double.seen().len(), 3);
}

#[tokio::test]
async fn a_wrong_dimension_is_permanent() {
    let double = Double::start().await;
    double.fail_next(&[Reply::WrongDimension]);
    let err = embedder(&double, 8).embed(&texts(2)).await.unwrap_err();
    assert!(!err.is_retryable(), "{err}");
    assert!(err.to_string().contains("1536"), "{err}");
    assert_eq!(double.seen().len(), 1);
}

#[tokio::test]
async fn connect_builds_the_configured_embedder() {
    let double = Double::start().await;
    let mut settings = EmbedderSettings::local("unused");
    settings.embedder = EmbedderKind::Openai;
    let err = embedding::connect(&settings).await.unwrap_err();
    assert!(err.to_string().contains("EMBEDDING_API_URL"), "{err}");

    settings.embedding_api_url = Some(double.url.parse().unwrap());
    settings.embedding_api_batch_size = 2;
    let embedder = embedding::connect(&settings).await.unwrap();
    assert_eq!(embedder.embed(&texts(3)).await.unwrap().len(), 3);
    assert_eq!(double.seen().len(), 2);
    assert_eq!(
        double.seen()[0].model,
        "sentence-transformers/all-MiniLM-L6-v2"
    );

    settings.embedder = EmbedderKind::Local;
    let err = embedding::connect(&settings).await.unwrap_err();
    assert!(err.to_string().contains("unused"), "{err}");
}
