//! Which embedder a service uses, and building it.
//!
//! Flattened into the settings of emu and the frontend, so that documents
//! and queries are always embedded by the same model. `local` (the default)
//! runs all-MiniLM-L6-v2 in process from `MODEL_DIR`; `openai` calls an
//! OpenAI-compatible `/v1/embeddings` endpoint that serves a 384-dimensional
//! model (e.g. all-MiniLM-L6-v2 behind a text-embeddings server).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};

use super::openai::{OpenAiEmbedder, OpenAiSettings};
use super::{EmbedError, Embedder, LocalEmbedder, LocalEmbedderOptions, PrecisionChoice};
use sync_core::settings::{HttpUrl, Secret, SecretParser};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EmbedderKind {
    /// all-MiniLM-L6-v2 in process, from `MODEL_DIR`.
    Local,
    /// An OpenAI-compatible `/v1/embeddings` endpoint.
    Openai,
}

#[derive(Args, Clone, Debug)]
pub struct EmbedderSettings {
    /// Which embedder: `local` (in process) or `openai` (remote endpoint).
    #[arg(
        long,
        env = "EMBEDDER",
        value_name = "EMBEDDER",
        value_enum,
        default_value = "local"
    )]
    pub embedder: EmbedderKind,

    /// Directory with all-MiniLM-L6-v2 (model.safetensors, tokenizer.json, config.json).
    #[arg(
        long,
        env = "MODEL_DIR",
        value_name = "MODEL_DIR",
        default_value = ".local/model/all-MiniLM-L6-v2"
    )]
    pub model_dir: PathBuf,

    /// Threads for inference (0 = one per CPU).
    #[arg(
        long,
        env = "EMBED_THREADS",
        value_name = "EMBED_THREADS",
        default_value_t = 0
    )]
    pub embed_threads: usize,

    /// Number format of the model's dense layers: `auto` (bf16 on CPUs
    /// where it measured faster and as accurate, f32 elsewhere), `f32` or
    /// `bf16`. Indexing (emu) and queries (frontend) must use the same:
    /// set it explicitly when they run on different CPU families.
    #[arg(
        long,
        env = "EMBED_PRECISION",
        value_name = "EMBED_PRECISION",
        value_enum,
        default_value = "auto"
    )]
    pub embed_precision: PrecisionChoice,

    /// Base URL of the OpenAI-compatible service (`/v1/embeddings` is
    /// appended). Required for `EMBEDDER=openai`.
    #[arg(long, env = "EMBEDDING_API_URL", value_name = "EMBEDDING_API_URL")]
    pub embedding_api_url: Option<HttpUrl>,

    /// Bearer token for the embedding service (secret); unset = no
    /// `Authorization` header (local servers).
    #[arg(
        long,
        env = "EMBEDDING_API_KEY",
        value_name = "EMBEDDING_API_KEY",
        hide_env_values = true,
        value_parser = SecretParser::<Secret>::new()
    )]
    pub embedding_api_key: Option<Secret>,

    /// Model name sent with every request; it must return 384-dimensional
    /// vectors comparable with the rest of the index.
    #[arg(
        long,
        env = "EMBEDDING_API_MODEL",
        value_name = "EMBEDDING_API_MODEL",
        default_value = "sentence-transformers/all-MiniLM-L6-v2"
    )]
    pub embedding_api_model: String,

    /// Texts per request to the embedding service.
    #[arg(
        long,
        env = "EMBEDDING_API_BATCH_SIZE",
        value_name = "EMBEDDING_API_BATCH_SIZE",
        default_value_t = 64,
        value_parser = clap::value_parser!(u32).range(1..=2048)
    )]
    pub embedding_api_batch_size: u32,

    /// Timeout of one request to the embedding service, connecting included.
    #[arg(
        long,
        env = "EMBEDDING_API_TIMEOUT_MS",
        value_name = "EMBEDDING_API_TIMEOUT_MS",
        default_value_t = 30_000,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub embedding_api_timeout_ms: u64,
}

impl EmbedderSettings {
    /// The local embedder from `model_dir` with every other setting at its
    /// default (for tests and tools that build settings in code).
    pub fn local(model_dir: impl Into<PathBuf>) -> Self {
        Self {
            embedder: EmbedderKind::Local,
            model_dir: model_dir.into(),
            embed_threads: 0,
            embed_precision: PrecisionChoice::Auto,
            embedding_api_url: None,
            embedding_api_key: None,
            embedding_api_model: "sentence-transformers/all-MiniLM-L6-v2".into(),
            embedding_api_batch_size: 64,
            embedding_api_timeout_ms: 30_000,
        }
    }

    /// The OpenAI-compatible settings, or an error naming the missing variable.
    pub fn openai(&self) -> Result<OpenAiSettings, EmbedError> {
        let url = self
            .embedding_api_url
            .clone()
            .ok_or_else(|| EmbedError::Remote {
                message: "EMBEDDER=openai requires EMBEDDING_API_URL to be set".into(),
                retryable: false,
            })?;
        Ok(OpenAiSettings {
            base_url: url,
            api_key: self.embedding_api_key.clone(),
            model: self.embedding_api_model.clone(),
            batch_size: self.embedding_api_batch_size as usize,
            timeout: Duration::from_millis(self.embedding_api_timeout_ms),
        })
    }
}

/// Build the configured embedder. The local one loads the model (a few
/// hundred ms of blocking I/O and parsing) on a blocking thread; the remote
/// one contacts nothing until the first call.
pub async fn connect(settings: &EmbedderSettings) -> Result<Arc<dyn Embedder>, EmbedError> {
    match settings.embedder {
        EmbedderKind::Local => {
            let dir = settings.model_dir.clone();
            let options = LocalEmbedderOptions {
                threads: match settings.embed_threads {
                    0 => std::thread::available_parallelism().map_or(1, usize::from),
                    n => n,
                },
                precision: settings.embed_precision.resolve(),
                ..LocalEmbedderOptions::default()
            };
            let embedder = tokio::task::spawn_blocking(move || LocalEmbedder::load(&dir, options))
                .await
                .map_err(|e| EmbedError::ModelLoad {
                    path: settings.model_dir.clone(),
                    message: format!("the loading thread failed: {e}"),
                })??;
            Ok(Arc::new(embedder))
        }
        EmbedderKind::Openai => Ok(Arc::new(OpenAiEmbedder::new(settings.openai()?)?)),
    }
}
