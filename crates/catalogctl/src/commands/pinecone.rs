//! The Pinecone index: `setup-pinecone` and the index step of
//! `deploy-prepare`.

use std::time::Duration;

use anyhow::Context;
use sync_core::settings::{HttpUrl, Secret, SecretParser};
use vector_store::VectorStoreError;
use vector_store::pinecone_control::{
    self, ControlPlaneSettings, PineconeControl, ServerlessIndex, SetupWait,
};

#[derive(clap::Args, Debug)]
pub struct PineconeIndexArgs {
    /// Pinecone's control plane (Pinecone Local: `http://localhost:5080`).
    #[arg(
        long,
        env = "PINECONE_CONTROL_URL",
        value_name = "PINECONE_CONTROL_URL",
        default_value = "https://api.pinecone.io"
    )]
    pub control_url: HttpUrl,
    #[arg(
        long,
        env = "PINECONE_INDEX_NAME",
        value_name = "PINECONE_INDEX_NAME",
        default_value = "catalog-products"
    )]
    pub index_name: String,
    #[arg(
        long,
        env = "PINECONE_CLOUD",
        value_name = "PINECONE_CLOUD",
        default_value = "aws",
        value_parser = ["aws", "gcp", "azure"]
    )]
    pub cloud: String,
    #[arg(
        long,
        env = "PINECONE_REGION",
        value_name = "PINECONE_REGION",
        default_value = "us-east-1"
    )]
    pub region: String,
    /// Pinecone API key (secret); required to set up an index.
    #[arg(
        long,
        env = "PINECONE_API_KEY",
        value_name = "PINECONE_API_KEY",
        hide_env_values = true,
        value_parser = SecretParser::<Secret>::new()
    )]
    pub api_key: Option<Secret>,
    /// Fail unless the index is served at this host (the services'
    /// setting, read the same way), so that a fixed host cannot drift.
    #[arg(
        long,
        env = "PINECONE_INDEX_HOST",
        value_name = "PINECONE_INDEX_HOST",
        value_parser = |v: &str| pinecone_control::index_url(v, "https")
    )]
    pub expect_host: Option<HttpUrl>,
    #[arg(
        long,
        env = "PINECONE_TIMEOUT_MS",
        value_name = "PINECONE_TIMEOUT_MS",
        default_value_t = 10_000,
        value_parser = clap::value_parser!(u64).range(1..)
    )]
    pub timeout_ms: u64,
    /// Seconds to keep trying in all: Pinecone (Local) still starting,
    /// then the new index becoming ready.
    #[arg(long, default_value_t = 180, value_parser = clap::value_parser!(u64).range(1..))]
    pub wait_s: u64,
}

/// Create the index unless it exists (serverless, 384 dimensions, cosine),
/// wait until it is ready, check it has the shape and (when given) the
/// host the services are set to, and return its host.
pub async fn ensure_index(args: PineconeIndexArgs) -> anyhow::Result<HttpUrl> {
    let api_key = args
        .api_key
        .context("PINECONE_API_KEY is not set: it is required to set up the Pinecone index")?;
    let control = PineconeControl::new(ControlPlaneSettings {
        control_url: args.control_url.clone(),
        api_key,
        timeout: Duration::from_millis(args.timeout_ms),
    })?
    .with_wait(SetupWait {
        timeout: Duration::from_secs(args.wait_s),
        ..SetupWait::default()
    });
    let index = ServerlessIndex {
        name: args.index_name,
        cloud: args.cloud,
        region: args.region,
    };
    let ready = control.ensure_index(&index).await.map_err(|e| {
        // A refused key is the one mistake an operator makes here (the
        // secret still holds a placeholder): name it, and fail at once.
        let hint = match &e {
            VectorStoreError::Rejected {
                status: 401 | 403, ..
            } => " (Pinecone refused PINECONE_API_KEY: put the project's key in its secret)",
            _ => "",
        };
        anyhow::anyhow!(
            "setting up Pinecone index {} at {} (trying for up to {}s){hint}: {e}",
            index.name,
            args.control_url,
            args.wait_s
        )
    })?;
    if let Some(expected) = &args.expect_host {
        ready.expect_host(expected)?;
    }
    eprintln!(
        "Pinecone index {} {} and ready",
        ready.name,
        if ready.created { "created" } else { "exists" }
    );
    Ok(ready.host)
}
