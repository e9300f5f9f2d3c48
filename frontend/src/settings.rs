//! The frontend's settings, from environment variables
//! (docs/configuration.md). Secrets (the server key, the API key, the user list) are
//! parsed without ever echoing their value.

use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use catalog_import::UploadSettings;
use clap::Parser;
use embedding::EmbedderSettings;
use sync_core::settings::{AwsSettings, DatabaseSettings, Secret, SecretParser, TelemetrySettings};
use vector_store::VectorStoreSettings;

use crate::auth::{ServerKey, Users};
use crate::sync_status::SyncStatusSettings;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "frontend",
    about = "Semantic product search web app and JSON API \
             (`frontend hash-password` prints an Argon2 hash for FRONTEND_USERS)",
    version
)]
pub struct Settings {
    #[command(flatten)]
    pub database: DatabaseSettings,

    #[command(flatten)]
    pub aws: AwsSettings,

    #[command(flatten)]
    pub telemetry: TelemetrySettings,

    #[command(flatten)]
    pub vector_store: VectorStoreSettings,

    #[command(flatten)]
    pub embedder: EmbedderSettings,

    #[command(flatten)]
    pub sync_status: SyncStatusSettings,

    /// Bulk catalog upload (`UPLOAD_*`, `IMPORT_*`); off without a bucket.
    #[command(flatten)]
    pub uploads: UploadSettings,

    /// Where the web app, the API and `/healthz` `/readyz` `/metrics` are served.
    #[arg(
        long,
        env = "FRONTEND_ADDR",
        value_name = "FRONTEND_ADDR",
        default_value = "127.0.0.1:8080"
    )]
    pub http_addr: SocketAddr,

    /// Server key (secret, at least 32 characters) that CSRF tokens are
    /// derived from. Every replica behind one load balancer needs the same.
    #[arg(
        long,
        env = "FRONTEND_SESSION_KEY",
        value_name = "FRONTEND_SESSION_KEY",
        hide_env_values = true,
        value_parser = SecretParser::<ServerKey>::new()
    )]
    pub session_key: ServerKey,

    /// Users who may log in and edit: `name:$argon2id$…` entries separated
    /// by `;` (hashes from `frontend hash-password`). Unset = nobody.
    #[arg(
        long,
        env = "FRONTEND_USERS",
        value_name = "FRONTEND_USERS",
        hide_env_values = true,
        value_parser = SecretParser::<Users>::new()
    )]
    pub users: Option<Users>,

    /// Bearer key (secret) for `PATCH /api/products/{sku}` by programs.
    /// Unset = only logged-in users can edit.
    #[arg(
        long,
        env = "FRONTEND_API_KEY",
        value_name = "FRONTEND_API_KEY",
        hide_env_values = true,
        value_parser = SecretParser::<Secret>::new()
    )]
    pub api_key: Option<Secret>,

    /// How long a login lasts.
    #[arg(
        long,
        env = "FRONTEND_SESSION_TTL_HOURS",
        value_name = "FRONTEND_SESSION_TTL_HOURS",
        default_value_t = 12,
        value_parser = clap::value_parser!(u64).range(1..=720)
    )]
    pub session_ttl_hours: u64,

    /// A request that takes longer is answered 503.
    #[arg(
        long,
        env = "FRONTEND_REQUEST_TIMEOUT_MS",
        value_name = "FRONTEND_REQUEST_TIMEOUT_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(100..=300_000)
    )]
    pub request_timeout_ms: u64,

    /// Send `Strict-Transport-Security` (one year) on every response: set
    /// it only when the site is served over HTTPS (the AWS stack does when
    /// a certificate is configured), since browsers then refuse plain HTTP
    /// for the whole host.
    #[arg(
        long,
        env = "FRONTEND_HSTS",
        value_name = "FRONTEND_HSTS",
        default_value_t = false,
        action = clap::ArgAction::Set
    )]
    pub hsts: bool,

    /// Query embeddings kept in the LRU cache; 0 disables it.
    #[arg(
        long,
        env = "FRONTEND_QUERY_CACHE_SIZE",
        value_name = "FRONTEND_QUERY_CACHE_SIZE",
        default_value_t = 10_000
    )]
    pub query_cache_size: usize,

    /// How long a search's ranking is reused for the same query and filters,
    /// in ms (the rows shown are always current); 0 disables it.
    #[arg(
        long,
        env = "FRONTEND_RESULT_CACHE_TTL_MS",
        value_name = "FRONTEND_RESULT_CACHE_TTL_MS",
        default_value_t = 5_000,
        value_parser = clap::value_parser!(u64).range(0..=3_600_000)
    )]
    pub result_cache_ttl_ms: u64,

    /// Result rows kept in memory while a LISTEN on the products' change
    /// notification empties them on every change; 0 disables it.
    #[arg(
        long,
        env = "FRONTEND_ROW_CACHE_SIZE",
        value_name = "FRONTEND_ROW_CACHE_SIZE",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(0..=1_000_000)
    )]
    pub row_cache_size: u64,

    /// Login attempts allowed per user name and minute (per replica),
    /// checked before the password.
    #[arg(
        long,
        env = "FRONTEND_LOGIN_ATTEMPTS_PER_MINUTE",
        value_name = "FRONTEND_LOGIN_ATTEMPTS_PER_MINUTE",
        default_value = "10"
    )]
    pub login_attempts_per_minute: NonZeroU32,

    /// Postgres connections of this replica.
    #[arg(
        long,
        env = "FRONTEND_DB_CONNECTIONS",
        value_name = "FRONTEND_DB_CONNECTIONS",
        default_value_t = 16,
        value_parser = clap::value_parser!(u32).range(1..=500)
    )]
    pub db_connections: u32,
}

impl Settings {
    pub fn session_ttl(&self) -> Duration {
        Duration::from_secs(self.session_ttl_hours * 3600)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
}
