//! The two walks: products → index (missing, stale, full text behind, the
//! drift sample) and index → products (orphans). One page in memory at a time.

use std::collections::{HashMap, HashSet};

use indicatif::ProgressBar;
use rand::Rng;
use sqlx::PgPool;

use super::{ReconcileError, Report, VerifyOptions, note, repair};
use vector_store::VectorStore;

/// Walk `products` by id. Returns a uniform random sample (reservoir
/// sampling, so one pass and `options.sample` ids of memory) of the
/// products whose vector has the row's version.
pub(super) async fn products_to_index(
    pool: &PgPool,
    store: &dyn VectorStore,
    options: &VerifyOptions,
    report: &mut Report,
    progress: &ProgressBar,
) -> Result<Vec<i64>, ReconcileError> {
    let page_size = i64::try_from(options.page_size.max(1)).unwrap_or(i64::MAX);
    let mut sample: Vec<i64> = Vec::with_capacity(options.sample);
    let mut in_sync_seen: u64 = 0;
    let mut rng = rand::rng();
    let mut after = i64::MIN;
    loop {
        // Keyset pagination: an index range scan per page, however far in.
        let rows: Vec<(i64, i64)> =
            sqlx::query_as("SELECT id, version FROM products WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(page_size)
                .fetch_all(pool)
                .await?;
        let Some(&(last, _)) = rows.last() else {
            break;
        };
        after = last;
        let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
        let stored = store.versions(&ids).await?;
        // The full-text side of the index: Postgres, whatever the store.
        let documents: HashMap<i64, i64> = sqlx::query_as(
            "SELECT product_id, version FROM product_search_documents
              WHERE product_id = ANY($1) AND document IS NOT NULL",
        )
        .bind(&ids)
        .fetch_all(pool)
        .await?
        .into_iter()
        .collect();
        let mut reembed = Vec::new();
        for (id, version) in &rows {
            let words_current = documents.get(id) == Some(version);
            if !words_current {
                report.full_text += 1;
                note(&mut report.examples.full_text, *id);
            }
            match stored.get(id) {
                None => {
                    report.missing += 1;
                    note(&mut report.examples.missing, *id);
                    reembed.push(*id);
                }
                Some(stored) if stored != version => {
                    report.stale += 1;
                    note(&mut report.examples.stale, (*id, *version, *stored));
                    reembed.push(*id);
                }
                Some(_) => {
                    if !words_current {
                        // The vector is current, its words are not: the
                        // same repair rewrites both.
                        reembed.push(*id);
                    }
                    in_sync_seen += 1;
                    if sample.len() < options.sample {
                        sample.push(*id);
                    } else if options.sample > 0 {
                        let slot = rng.random_range(0..in_sync_seen);
                        if let Some(kept) = usize::try_from(slot)
                            .ok()
                            .and_then(|slot| sample.get_mut(slot))
                        {
                            *kept = *id;
                        }
                    }
                }
            }
        }
        report.products += rows.len() as u64;
        if options.repair && !reembed.is_empty() {
            report.reembed_enqueued += repair::reembed(pool, &reembed).await?;
        }
        progress.inc(rows.len() as u64);
        if rows.len() < options.page_size.max(1) {
            break;
        }
    }
    Ok(sample)
}

/// Walk the store's ids; every id without a row is an orphan.
pub(super) async fn index_to_products(
    pool: &PgPool,
    store: &dyn VectorStore,
    options: &VerifyOptions,
    report: &mut Report,
    progress: &ProgressBar,
) -> Result<(), ReconcileError> {
    let mut cursor: Option<String> = None;
    loop {
        let page = store.list_ids(cursor.as_deref(), options.page_size).await?;
        report.vectors += page.ids.len() as u64;
        progress.inc(page.ids.len() as u64);
        if !page.ids.is_empty() {
            let existing: HashSet<i64> =
                sqlx::query_scalar("SELECT id FROM products WHERE id = ANY($1)")
                    .bind(&page.ids)
                    .fetch_all(pool)
                    .await?
                    .into_iter()
                    .collect();
            let orphans: Vec<i64> = page
                .ids
                .iter()
                .copied()
                .filter(|id| !existing.contains(id))
                .collect();
            for id in &orphans {
                note(&mut report.examples.orphans, *id);
            }
            report.orphans += orphans.len() as u64;
            if options.repair && !orphans.is_empty() {
                // The delete must carry a version above the stored one.
                let versions = store.versions(&orphans).await?;
                let (ids, versions): (Vec<i64>, Vec<i64>) = versions.into_iter().unzip();
                report.deletes_enqueued += repair::delete(pool, &ids, &versions).await?;
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(())
}
