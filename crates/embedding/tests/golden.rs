//! The embedder against sentence-transformers: every text of
//! `fixtures/golden_embeddings.json` (written by scripts/golden_embeddings.py
//! with PyTorch FP32) must come out with cosine ≥ 0.999 to its reference.
//!
//! Needs the model: MODEL_DIR, or `.local/model/all-MiniLM-L6-v2` in the
//! workspace, where scripts/fetch-model.sh unpacks it.

use std::path::PathBuf;

use embedding::{
    DIMENSION, Embedder, LocalEmbedder, LocalEmbedderOptions, Precision, PrecisionChoice,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    text: String,
    embedding: Vec<f32>,
}

fn fixture() -> Fixture {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/golden_embeddings.json");
    let text = std::fs::read_to_string(&path).expect("read golden fixture");
    serde_json::from_str(&text).expect("parse golden fixture")
}

fn load(options: LocalEmbedderOptions) -> LocalEmbedder {
    let dir = testkit::model_dir();
    LocalEmbedder::load(&dir, options).unwrap_or_else(|e| {
        panic!(
            "{e}\n(set MODEL_DIR, or run scripts/fetch-model.sh to unpack the model at {})",
            dir.display()
        )
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn matches_sentence_transformers() {
    let fixture = fixture();
    assert!(fixture.cases.len() >= 20);
    let texts: Vec<String> = fixture.cases.iter().map(|c| c.text.clone()).collect();
    // Small batches on two workers, so ordering across batches and workers
    // is exercised too.
    let embedder = load(LocalEmbedderOptions {
        threads: 2,
        batch_size: 4,
        precision: Precision::F32,
    });
    let vectors = embedder.embed(&texts).await.expect("embed");
    assert_eq!(vectors.len(), texts.len());

    let mut min = f64::INFINITY;
    for (case, v) in fixture.cases.iter().zip(&vectors) {
        assert_eq!(v.len(), DIMENSION);
        let norm = v.iter().map(|&x| x as f64 * x as f64).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "{:?}: norm {norm}", case.text);
        let c = testkit::cosine(v, &case.embedding);
        assert!(
            c >= 0.999,
            "{:?}: cosine {c} to sentence-transformers",
            case.text
        );
        min = min.min(c);
    }
    eprintln!(
        "golden: min cosine to sentence-transformers over {} texts = {min:.9} (1 - min = {:.1e})",
        texts.len(),
        1.0 - min
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_text_embeds_the_same_alone_or_in_any_batch() {
    let texts: Vec<String> = fixture().cases.into_iter().map(|c| c.text).collect();
    let embedder = load(LocalEmbedderOptions {
        threads: 1,
        batch_size: 32,
        precision: Precision::F32,
    });
    let batched = embedder.embed(&texts).await.expect("embed");
    for (text, b) in texts.iter().zip(&batched) {
        let alone = embedder
            .embed(std::slice::from_ref(text))
            .await
            .expect("embed");
        assert!(
            testkit::cosine(&alone[0], b) > 0.99999,
            "{text:?} differs alone vs batched"
        );
    }
    assert!(embedder.embed(&[]).await.expect("embed nothing").is_empty());
}

/// Concurrent calls are merged into shared batches by the workers; each
/// caller must still get exactly its own vectors, in its own order.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_get_their_own_vectors() {
    let texts: Vec<String> = fixture().cases.into_iter().map(|c| c.text).collect();
    let embedder = std::sync::Arc::new(load(LocalEmbedderOptions {
        threads: 1,
        batch_size: 8,
        precision: Precision::F32,
    }));
    let alone = embedder.embed(&texts).await.expect("embed");
    // Calls of 1, 2 and 3 texts, all in flight at once: with one worker
    // most of them queue up and are merged (up to 8 texts per batch).
    let mut calls = Vec::new();
    for round in 0..4 {
        for (start, size) in [(0, 1), (1, 2), (3, 3), (6, 1), (7, 2)] {
            let embedder = std::sync::Arc::clone(&embedder);
            let start = (start + round * 5) % (texts.len() - 3);
            let mine = texts[start..start + size].to_vec();
            calls.push(tokio::spawn(async move {
                (start, embedder.embed(&mine).await.expect("embed"))
            }));
        }
    }
    for call in calls {
        let (start, vectors) = call.await.expect("task");
        for (offset, v) in vectors.iter().enumerate() {
            assert!(
                testkit::cosine(v, &alone[start + offset]) > 0.99999,
                "text {} came back wrong from a merged batch",
                start + offset
            );
        }
    }
}

/// The default precision (`EMBED_PRECISION=auto`) is bf16 on some CPUs: it
/// is only the default because bf16 keeps every golden text at cosine ≥
/// 0.999 to sentence-transformers' FP32 reference, like f32 does. This
/// holds that bar for bf16 wherever the CPU can run it, and for whatever
/// `auto` picks on this one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bf16_and_the_default_precision_match_sentence_transformers() {
    let fixture = fixture();
    let texts: Vec<String> = fixture.cases.iter().map(|c| c.text.clone()).collect();
    let options = |precision| LocalEmbedderOptions {
        threads: 2,
        batch_size: 8,
        precision,
    };
    let mut precisions = vec![PrecisionChoice::Auto.resolve()];
    if PrecisionChoice::Auto.resolve() != Precision::Bf16 {
        precisions.push(Precision::Bf16);
    }
    for precision in precisions {
        let embedder = load(options(precision));
        if embedder.options().precision != precision {
            eprintln!("{precision:?}: not supported on this CPU, skipped");
            continue;
        }
        let vectors = embedder.embed(&texts).await.expect("embed");
        let mut min = f64::INFINITY;
        for (case, v) in fixture.cases.iter().zip(&vectors) {
            let c = testkit::cosine(v, &case.embedding);
            assert!(
                c >= 0.999,
                "{:?} in {precision:?}: cosine {c} to sentence-transformers",
                case.text
            );
            min = min.min(c);
        }
        eprintln!(
            "{precision:?} ({}): min cosine to sentence-transformers over {} texts = {min:.6}",
            embedding::describe_precision(precision),
            texts.len()
        );
    }
}
