//! Phase 2, the peer: sentence-transformers with PyTorch on CPU
//! (`bench/peer_embed.py`), same texts, same threads, same batch size, the
//! model from the same directory, in FP32 and in bf16 (its best mode on
//! CPUs with bf16 instructions). The harness installs it into its own
//! virtualenv (`.local/bench-venv`, `bench/requirements-peer.txt`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use anyhow::Context;
use serde::Deserialize;
use tokio::process::Command;

use crate::report::Report;

pub const KEYS: &[&str] = &["pytorch_texts_per_s", "pytorch_bf16_texts_per_s"];

#[derive(Debug, Deserialize)]
struct PeerResult {
    texts: usize,
    texts_per_s: f64,
    threads: usize,
    torch: String,
    sentence_transformers: String,
}

/// `.local/bench-venv` with torch and sentence-transformers, created on
/// first use (about 1.5 minutes and several GB).
async fn ensure_venv(root: &Path) -> anyhow::Result<PathBuf> {
    let venv = root.join(".local/bench-venv");
    let python = venv.join("bin/python");
    let importable = |python: PathBuf| async move {
        Command::new(python)
            .args(["-c", "import torch, sentence_transformers"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await
            .is_ok_and(|s| s.success())
    };
    if importable(python.clone()).await {
        return Ok(python);
    }
    let started = Instant::now();
    tracing::info!(
        "peer: installing torch and sentence-transformers into {}",
        venv.display()
    );
    run_logged(Command::new("python3").arg("-m").arg("venv").arg(&venv)).await?;
    run_logged(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(root.join("bench/requirements-peer.txt")),
    )
    .await?;
    anyhow::ensure!(
        importable(python.clone()).await,
        "torch / sentence-transformers still not importable after installing"
    );
    tracing::info!(
        "peer: installed in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(python)
}

async fn run_logged(command: &mut Command) -> anyhow::Result<()> {
    let output = command.output().await.context("running the installer")?;
    anyhow::ensure!(
        output.status.success(),
        "{:?} failed: {}",
        command.as_std(),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

pub async fn run(
    report: &mut Report,
    root: &Path,
    model_dir: &Path,
    texts: &[String],
    threads: usize,
    batch_size: usize,
) -> anyhow::Result<()> {
    let python = ensure_venv(root).await?;
    let mut versions = None;
    for (precision, key) in [
        ("fp32", "pytorch_texts_per_s"),
        ("bf16", "pytorch_bf16_texts_per_s"),
    ] {
        let result = embed(
            &python, root, model_dir, texts, threads, batch_size, precision,
        )
        .await?;
        tracing::info!(
            "peer: {precision}: {:.1} texts/s (torch {}, sentence-transformers {}, {} threads)",
            result.texts_per_s,
            result.torch,
            result.sentence_transformers,
            result.threads
        );
        report.set(key, result.texts_per_s);
        versions = Some(result);
    }
    if let Some(result) = versions {
        report.context(
            "peer",
            serde_json::json!({
                "torch": result.torch,
                "sentence_transformers": result.sentence_transformers,
                "threads": result.threads,
                "batch_size": batch_size,
                "precisions": ["fp32", "bf16"],
            }),
        );
    }
    Ok(())
}

/// One timed run of the peer in `precision` (`fp32` or `bf16`).
async fn embed(
    python: &Path,
    root: &Path,
    model_dir: &Path,
    texts: &[String],
    threads: usize,
    batch_size: usize,
    precision: &str,
) -> anyhow::Result<PeerResult> {
    let file = std::env::temp_dir().join(format!("bench-texts-{}.jsonl", std::process::id()));
    let mut lines = String::new();
    for text in texts {
        lines.push_str(&serde_json::to_string(text)?);
        lines.push('\n');
    }
    std::fs::write(&file, lines).with_context(|| format!("writing {}", file.display()))?;
    tracing::info!(
        "peer: sentence-transformers on {} texts, {threads} threads, {precision}",
        texts.len()
    );
    let output = Command::new(python)
        .arg(root.join("bench/peer_embed.py"))
        .arg("--texts")
        .arg(&file)
        .arg("--model-dir")
        .arg(model_dir)
        .args(["--threads", &threads.to_string()])
        .args(["--batch-size", &batch_size.to_string()])
        .args(["--precision", precision])
        .output()
        .await
        .context("running bench/peer_embed.py");
    let _ = std::fs::remove_file(&file);
    let output = output?;
    anyhow::ensure!(
        output.status.success(),
        "bench/peer_embed.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    let result: PeerResult = serde_json::from_str(last)
        .with_context(|| format!("reading the peer's result {last:?}"))?;
    anyhow::ensure!(
        result.texts == texts.len(),
        "the peer embedded {} texts",
        result.texts
    );
    Ok(result)
}
