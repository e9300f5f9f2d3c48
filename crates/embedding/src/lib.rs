//! Sentence embeddings: text in, L2-normalised 384-dimensional vector out.
//!
//! [`Embedder`] is what services program against; [`LocalEmbedder`] is the
//! in-process implementation of all-MiniLM-L6-v2 (a 6-layer BERT with mean
//! pooling), written over the `gemm` crate so that it needs no Python, no
//! ONNX Runtime and no GPU, and keeps up with PyTorch on the same CPU.
//!
//! Layout of the module, one job per file:
//! * `tokenize` — WordPiece via the model's own `tokenizer.json`.
//! * `weights` — config + safetensors → weights laid out for the forward pass.
//! * `bert` — the forward pass over a packed batch.
//! * `kernels` — the fused element-wise ops and attention it is built from.
//! * `bf16` — the optional bf16 matmul (AVX512_BF16).
//! * `local` — [`LocalEmbedder`]: worker threads, batching, ordering.
//! * `openai` — [`OpenAiEmbedder`]: an OpenAI-compatible `/v1/embeddings`
//!   endpoint behind the same trait.
//! * `settings` — [`EmbedderSettings`] (which one, from env vars) and [`connect`].

mod bert;
mod bf16;
mod kernels;
mod local;
mod openai;
mod precision;
mod settings;
mod similarity;
mod tokenize;
mod weights;

use std::path::PathBuf;

pub use local::{LocalEmbedder, LocalEmbedderOptions};
pub use openai::{OpenAiEmbedder, OpenAiSettings};
pub use precision::{PrecisionChoice, describe as describe_precision};
pub use settings::{EmbedderKind, EmbedderSettings, connect};
pub use similarity::dot;

/// Length of every vector an [`Embedder`] returns.
pub use sync_core::DIMENSION;

/// Number format of the dense layers' weights and matmuls (chosen per CPU
/// by [`PrecisionChoice::Auto`], the default of `EMBED_PRECISION`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// Faithful to sentence-transformers (cosine ≥ 0.999; in practice the
    /// vectors agree to about 1e-6).
    #[default]
    F32,
    /// Weights and matmul inputs rounded to bfloat16, sums in f32: about
    /// twice the matmul speed on CPUs with AVX512_BF16 (measured: cosine ≥
    /// 0.9999 to [`Precision::F32`] on the golden texts). On other CPUs
    /// [`LocalEmbedder`] uses F32.
    Bf16,
}

/// Turns texts into unit-length vectors whose dot product is their cosine
/// similarity.
#[async_trait::async_trait]
pub trait Embedder: Send + Sync + std::fmt::Debug {
    /// One L2-normalised [`DIMENSION`]-long vector per input text, in input
    /// order. An empty input gives an empty output.
    async fn embed(&self, texts: &[String]) -> Result<Vec<Vec<f32>>, EmbedError>;
}

/// Why embedding failed.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The model directory is missing a file, or a file does not hold what
    /// all-MiniLM-L6-v2 should. Not retryable: fix the deployment.
    #[error("loading the embedding model from {path}: {message}")]
    ModelLoad { path: PathBuf, message: String },
    /// The tokenizer rejected a text. Not retryable: the same text fails again.
    #[error("tokenizing a text: {0}")]
    Tokenize(String),
    /// The inference workers are gone (the embedder is shutting down, or a
    /// worker panicked). Retryable on a fresh embedder.
    #[error("embedding inference failed: {0}")]
    Inference(String),
    /// A remote embedding service failed; `retryable` tells whether trying
    /// again may succeed (timeouts, throttling, 5xx) or not (4xx).
    #[error("remote embedding service: {message}")]
    Remote { message: String, retryable: bool },
}

impl EmbedError {
    /// Whether the same call may succeed if tried again later.
    pub fn is_retryable(&self) -> bool {
        match self {
            EmbedError::ModelLoad { .. } | EmbedError::Tokenize(_) => false,
            EmbedError::Inference(_) => true,
            EmbedError::Remote { retryable, .. } => *retryable,
        }
    }
}
