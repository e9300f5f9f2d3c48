//! Which vector store a service uses, and building it.
//!
//! Flattened into the settings of emu and the frontend. pgvector is the
//! default because it needs nothing beyond the Postgres every service
//! already has; `VECTOR_STORE=pinecone` needs the index host and API key,
//! and [`connect`] says which one is missing.

use std::sync::Arc;
use std::time::Duration;

use clap::{Args, ValueEnum};
use sqlx::PgPool;

use super::{PgVectorStore, PineconeSettings, PineconeStore, VectorStore, VectorStoreError};
use sync_core::settings::{HttpUrl, Secret, SecretParser};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum VectorStoreKind {
    /// The `product_vectors` table in the service's Postgres.
    Pgvector,
    /// A Pinecone index (or Pinecone Local).
    Pinecone,
}

#[derive(Args, Clone, Debug)]
pub struct VectorStoreSettings {
    /// Where vectors live: `pgvector` (the service's Postgres) or `pinecone`.
    #[arg(
        long,
        env = "VECTOR_STORE",
        value_name = "VECTOR_STORE",
        value_enum,
        default_value = "pgvector"
    )]
    pub vector_store: VectorStoreKind,

    /// The Pinecone index's data-plane host, as the console shows it
    /// (`https://` is assumed when no scheme is given). Required for pinecone.
    #[arg(
        long,
        env = "PINECONE_INDEX_HOST",
        value_name = "PINECONE_INDEX_HOST",
        value_parser = parse_index_host
    )]
    pub pinecone_index_host: Option<HttpUrl>,

    /// Pinecone API key (secret). Required for pinecone.
    #[arg(
        long,
        env = "PINECONE_API_KEY",
        value_name = "PINECONE_API_KEY",
        hide_env_values = true,
        value_parser = SecretParser::<Secret>::new()
    )]
    pub pinecone_api_key: Option<Secret>,

    /// Pinecone namespace; unset or empty = the index's default namespace.
    #[arg(long, env = "PINECONE_NAMESPACE", value_name = "PINECONE_NAMESPACE")]
    pub pinecone_namespace: Option<String>,

    /// Timeout of one Pinecone request, connecting included.
    #[arg(
        long,
        env = "PINECONE_TIMEOUT_MS",
        value_name = "PINECONE_TIMEOUT_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub pinecone_timeout_ms: u64,
}

impl VectorStoreSettings {
    /// The Pinecone settings, or an error naming the missing variable.
    pub fn pinecone(&self) -> Result<PineconeSettings, VectorStoreError> {
        let missing = |name: &str| {
            VectorStoreError::Config(format!("VECTOR_STORE=pinecone requires {name} to be set"))
        };
        Ok(PineconeSettings {
            index_host: self
                .pinecone_index_host
                .clone()
                .ok_or_else(|| missing("PINECONE_INDEX_HOST"))?,
            api_key: self
                .pinecone_api_key
                .clone()
                .ok_or_else(|| missing("PINECONE_API_KEY"))?,
            namespace: self
                .pinecone_namespace
                .clone()
                .filter(|ns| !ns.trim().is_empty()),
            timeout: Duration::from_millis(self.pinecone_timeout_ms),
        })
    }
}

/// Build the configured store. `pool` is the service's Postgres pool: the
/// home of pgvector's table and of Pinecone's write ledger (both created by
/// the migrations). Nothing is contacted here: services report readiness
/// from [`VectorStore::ping`].
pub fn connect(
    settings: &VectorStoreSettings,
    pool: PgPool,
) -> Result<Arc<dyn VectorStore>, VectorStoreError> {
    Ok(match settings.vector_store {
        VectorStoreKind::Pgvector => Arc::new(PgVectorStore::new(pool)),
        VectorStoreKind::Pinecone => Arc::new(PineconeStore::new(settings.pinecone()?, pool)?),
    })
}

/// The console shows index hosts without a scheme; Pinecone Local is
/// plain `http://`.
fn parse_index_host(value: &str) -> Result<HttpUrl, String> {
    super::pinecone::control::index_url(value, "https")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use clap::Parser;

    use super::*;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        store: VectorStoreSettings,
    }

    fn parse(args: &[&str]) -> Result<VectorStoreSettings, clap::Error> {
        Cli::try_parse_from(std::iter::once("test").chain(args.iter().copied())).map(|c| c.store)
    }

    #[test]
    fn pgvector_is_the_default() {
        let settings = parse(&[]).unwrap();
        assert_eq!(settings.vector_store, VectorStoreKind::Pgvector);
        assert_eq!(settings.pinecone_timeout_ms, 10_000);
    }

    #[test]
    fn index_hosts_get_a_scheme_and_keys_stay_hidden() {
        let settings = parse(&[
            "--vector-store=pinecone",
            "--pinecone-index-host=products-abc.svc.aped-4627-b74a.pinecone.io",
            "--pinecone-api-key=pcsk_hunter2",
            "--pinecone-namespace=",
        ])
        .unwrap();
        let pinecone = settings.pinecone().unwrap();
        assert_eq!(
            pinecone.index_host.0,
            "https://products-abc.svc.aped-4627-b74a.pinecone.io"
        );
        assert_eq!(pinecone.namespace, None);
        assert!(!format!("{settings:?} {pinecone:?}").contains("hunter2"));
        let local = parse(&["--pinecone-index-host=http://localhost:5081/"]).unwrap();
        assert_eq!(
            local.pinecone_index_host.unwrap().0,
            "http://localhost:5081"
        );
        assert!(parse(&["--pinecone-timeout-ms=0"]).is_err());
        assert!(parse(&["--vector-store=qdrant"]).is_err());
    }

    #[tokio::test]
    async fn missing_settings_are_named() {
        // A lazy pool connects on first use: never, here.
        let pool = || {
            sqlx::postgres::PgPoolOptions::new()
                .connect_lazy("postgres://u:p@127.0.0.1:1/db")
                .unwrap()
        };
        let mut settings = parse(&["--vector-store=pinecone", "--pinecone-api-key=k"]).unwrap();
        let err = connect(&settings, pool()).unwrap_err();
        assert!(err.to_string().contains("PINECONE_INDEX_HOST"), "{err}");
        assert!(!err.is_retryable());

        settings.pinecone_index_host = Some("http://127.0.0.1:1".parse().unwrap());
        settings.pinecone_api_key = None;
        let err = connect(&settings, pool()).unwrap_err();
        assert!(err.to_string().contains("PINECONE_API_KEY"), "{err}");

        settings.pinecone_api_key = Some(Secret::new("k"));
        assert!(connect(&settings, pool()).is_ok());
        assert!(connect(&parse(&[]).unwrap(), pool()).is_ok());
    }
}
