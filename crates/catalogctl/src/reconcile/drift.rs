//! The drift check: is the stored vector the embedding of the row's current
//! text? Versions can agree while the vector is wrong (a bug that embedded
//! the wrong text, a model swapped without re-indexing); only re-embedding
//! shows it, so this runs on a sample.

use std::collections::HashMap;

use sqlx::PgPool;

use super::{ReconcileError, Report, VerifyOptions, note, repair};
use embedding::Embedder;
use sync_core::change_event::{MAX_CATEGORY_CHARS, MAX_DESCRIPTION_CHARS, MAX_NAME_CHARS};
use sync_core::document;
use vector_store::VectorStore;

/// Texts per embedding call: bounds memory whatever the sample size.
const EMBED_CHUNK: usize = 256;

pub(super) async fn check(
    pool: &PgPool,
    store: &dyn VectorStore,
    embedder: &dyn Embedder,
    sample: &[i64],
    options: &VerifyOptions,
    report: &mut Report,
) -> Result<(), ReconcileError> {
    for ids in sample.chunks(EMBED_CHUNK) {
        // The text emu embeds: the event's fields, which the outbox trigger
        // caps at these lengths (see the first migration).
        let rows: Vec<(i64, i64, String, Option<String>, String)> = sqlx::query_as(
            "SELECT id, version, left(name, $2), left(category, $3), left(description, $4)
             FROM products WHERE id = ANY($1) ORDER BY id",
        )
        .bind(ids)
        .bind(cap(MAX_NAME_CHARS))
        .bind(cap(MAX_CATEGORY_CHARS))
        .bind(cap(MAX_DESCRIPTION_CHARS))
        .fetch_all(pool)
        .await?;
        let stored: HashMap<i64, _> = store
            .fetch(ids)
            .await?
            .into_iter()
            .map(|r| (r.product_id, r))
            .collect();
        // Compare only where the versions still agree: a product changed
        // since the scan is in flight, not drifted.
        let pairs: Vec<_> = rows
            .iter()
            .filter_map(|(id, version, name, category, description)| {
                let record = stored.get(id).filter(|r| r.version == *version)?;
                let text = document::compose(name, category.as_deref(), description);
                Some((*id, text, &record.values))
            })
            .collect();
        let texts: Vec<String> = pairs.iter().map(|(_, text, _)| text.clone()).collect();
        let fresh = embedder.embed(&texts).await?;
        let mut drifted = Vec::new();
        for ((id, _, values), fresh) in pairs.iter().zip(&fresh) {
            report.sampled += 1;
            let similarity = cosine(values, fresh);
            if similarity < options.min_cosine {
                report.drifted += 1;
                note(&mut report.examples.drifted, (*id, similarity));
                drifted.push(*id);
            }
        }
        if options.repair && !drifted.is_empty() {
            report.reembed_enqueued += repair::reembed(pool, &drifted).await?;
        }
    }
    Ok(())
}

fn cap(chars: usize) -> i32 {
    i32::try_from(chars).unwrap_or(i32::MAX)
}

/// Cosine similarity; 0 for a zero vector (no direction to compare).
pub(super) fn cosine(a: &[f32], b: &[f32]) -> f32 {
    let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let norm = |v: &[f32]| v.iter().map(|x| x * x).sum::<f32>().sqrt();
    let norms = norm(a) * norm(b);
    if norms == 0.0 { 0.0 } else { dot / norms }
}

#[cfg(test)]
mod tests {
    use super::cosine;

    #[test]
    fn cosine_of_same_opposite_and_zero_vectors() {
        assert!((cosine(&[1.0, 2.0], &[2.0, 4.0]) - 1.0).abs() < 1e-6);
        assert!((cosine(&[1.0, 0.0], &[-1.0, 0.0]) + 1.0).abs() < 1e-6);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), 0.0);
    }
}
