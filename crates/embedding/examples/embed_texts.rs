//! Embed texts for offline relevance experiments (`eval/lab/`): reads a
//! JSON array of strings on stdin, writes a JSON array of vectors on
//! stdout, with the same embedder the services use (`MODEL_DIR`, default
//! `.local/model/all-MiniLM-L6-v2`). One worker thread: cheap on a shared
//! machine.
#![allow(clippy::print_stdout)]

use std::io::Read;

use anyhow::Result;
use embedding::{EmbedderSettings, connect};

#[tokio::main]
async fn main() -> Result<()> {
    let dir = std::env::var("MODEL_DIR").unwrap_or_else(|_| ".local/model/all-MiniLM-L6-v2".into());
    let mut settings = EmbedderSettings::local(dir);
    settings.embed_threads = 1;
    let embedder = connect(&settings).await?;
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    let texts: Vec<String> = serde_json::from_str(&input)?;
    let mut vectors = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(64) {
        vectors.extend(embedder.embed(chunk).await?);
    }
    println!("{}", serde_json::to_string(&vectors)?);
    Ok(())
}
