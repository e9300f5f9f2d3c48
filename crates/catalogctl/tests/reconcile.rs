//! `catalogctl::reconcile` (catalogctl verify) against both stores: a table and
//! an index made to differ in known ways (missing, stale, orphaned and
//! drifted vectors) must be reported exactly; `--repair` must re-enqueue
//! exactly those products through the outbox, and applying the outbox the
//! way emu does must leave the index clean. pgvector on the real Postgres;
//! Pinecone against the spec-checking double, in pages of 100 ids
//! (`/vectors/list` + `/vectors/fetch`).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use catalogctl::reconcile::{self, Report, VerifyOptions};
use embedding::{Embedder, LocalEmbedder};
use indicatif::ProgressBar;
use sqlx::PgPool;
use sync_core::settings::Secret;
use sync_core::{document, product as catalog};
use testkit::{TestDatabase, pinecone_double};
use vector_store::{
    PgVectorStore, PineconeSettings, PineconeStore, ProductMetadata, SearchDocument,
    SearchDocuments, Tombstone, VectorRecord, VectorStore,
};

const PRODUCTS: usize = 250;

fn embedder() -> Arc<dyn Embedder> {
    Arc::new(LocalEmbedder::load(&testkit::model_dir(), Default::default()).unwrap())
}

/// One row as emu would see it: id, version, text, metadata.
struct Row {
    id: i64,
    version: i64,
    text: String,
    description: String,
    metadata: ProductMetadata,
}

/// A products row: id, version, sku, name, category, description, price.
type ProductRow = (
    i64,
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<rust_decimal::Decimal>,
);

async fn rows(pool: &PgPool) -> Vec<Row> {
    let rows: Vec<ProductRow> = sqlx::query_as(
        "SELECT id, version, sku, name, category, description, price FROM products ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(
            |(id, version, sku, name, category, description, price)| Row {
                id,
                version,
                text: document::compose(&name, category.as_deref(), &description),
                description,
                metadata: ProductMetadata {
                    sku,
                    name,
                    category,
                    price,
                },
            },
        )
        .collect()
}

/// What the differences were made of, to compare the report with.
struct Planted {
    missing: Vec<i64>,
    stale: Vec<i64>,
    drifted: Vec<i64>,
    orphans: Vec<i64>,
    /// A current vector but no full-text document.
    wordless: Vec<i64>,
}

/// Products in the table, an index that differs from it in known ways, and
/// an empty outbox (as if pelican had relayed everything).
async fn plant(pool: &PgPool, store: &dyn VectorStore, embedder: &dyn Embedder) -> Planted {
    let products: Vec<_> = sample_catalog::generate(21, PRODUCTS as u64).collect();
    catalog::upsert_products(pool, &products).await.unwrap();
    let rows = rows(pool).await;
    let texts: Vec<String> = rows.iter().map(|r| r.text.clone()).collect();
    let vectors = embedder.embed(&texts).await.unwrap();
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let planted = Planted {
        missing: ids[0..5].to_vec(),
        drifted: ids[5..8].to_vec(),
        stale: ids[8..13].to_vec(),
        orphans: (0..4).map(|i| 900_001 + i).collect(),
        wordless: ids[13..15].to_vec(),
    };
    // Full-text documents as emu writes them, where it wrote a vector
    // (before the stale rows moved on), but none for the wordless.
    let documents: Vec<SearchDocument> = rows
        .iter()
        .filter(|r| !planted.missing.contains(&r.id) && !planted.wordless.contains(&r.id))
        .map(|r| SearchDocument {
            product_id: r.id,
            version: r.version,
            name: r.metadata.name.clone(),
            category: r.metadata.category.clone(),
            description: r.description.clone(),
        })
        .collect();
    SearchDocuments::new(pool.clone())
        .upsert(&documents)
        .await
        .unwrap();
    let mut records = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if planted.missing.contains(&row.id) {
            continue;
        }
        // A drifted vector: the right version, another product's text.
        let values = if planted.drifted.contains(&row.id) {
            vectors[i + 100].clone()
        } else {
            vectors[i].clone()
        };
        records.push(VectorRecord {
            product_id: row.id,
            version: row.version,
            values,
            metadata: row.metadata.clone(),
        });
    }
    for (n, id) in planted.orphans.iter().enumerate() {
        records.push(VectorRecord {
            product_id: *id,
            version: 3,
            values: vectors[n].clone(),
            metadata: rows[n].metadata.clone(),
        });
    }
    store.upsert(&records).await.unwrap();
    // Stale: the row moved on (a new price is a new version), the vector not.
    sqlx::query("UPDATE products SET price = coalesce(price, 0) + 1 WHERE id = ANY($1)")
        .bind(&planted.stale)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM outbox")
        .execute(pool)
        .await
        .unwrap();
    planted
}

fn options(repair: bool) -> VerifyOptions {
    VerifyOptions {
        page_size: 100,
        sample: PRODUCTS,
        min_cosine: 0.99,
        repair,
    }
}

async fn verify(
    pool: &PgPool,
    store: &dyn VectorStore,
    embedder: &Arc<dyn Embedder>,
    repair: bool,
) -> Report {
    reconcile::verify(
        pool,
        store,
        Some(embedder.clone()),
        &options(repair),
        &ProgressBar::hidden(),
    )
    .await
    .unwrap()
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

fn assert_finds_what_was_planted(report: &Report, planted: &Planted) {
    assert_eq!(report.products, PRODUCTS as u64);
    assert_eq!(report.vectors, (PRODUCTS - 5 + 4) as u64);
    assert_eq!(
        (
            report.missing,
            report.stale,
            report.orphans,
            report.drifted,
            report.full_text
        ),
        (5, 5, 4, 3, 12),
        "{report}"
    );
    // Every product whose vector has its version was compared, but for
    // those a repair gave a new version during the scan (the wordless).
    let repaired_first = if report.reembed_enqueued > 0 { 2 } else { 0 };
    assert_eq!(report.sampled, (PRODUCTS - 10 - repaired_first) as u64);
    let e = &report.examples;
    let behind: Vec<i64> = [&planted.missing, &planted.stale, &planted.wordless]
        .into_iter()
        .flatten()
        .copied()
        .collect();
    assert_eq!(sorted(e.full_text.clone()), sorted(behind));
    assert_eq!(sorted(e.missing.clone()), planted.missing);
    assert_eq!(sorted(e.stale.iter().map(|s| s.0).collect()), planted.stale);
    assert!(
        e.stale
            .iter()
            .all(|(_, row, vector)| *row == 2 && *vector == 1)
    );
    assert_eq!(sorted(e.orphans.clone()), planted.orphans);
    assert_eq!(
        sorted(e.drifted.iter().map(|d| d.0).collect()),
        planted.drifted
    );
    assert!(!report.is_clean());
}

/// What emu does with the outbox's events, minus the queue: embed the
/// upserts, write them, delete the deletes. Returns the events applied.
async fn apply_outbox(pool: &PgPool, store: &dyn VectorStore, embedder: &dyn Embedder) -> usize {
    type Event = (
        String,
        i64,
        i64,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<rust_decimal::Decimal>,
    );
    let events: Vec<Event> = sqlx::query_as(
        "DELETE FROM outbox RETURNING op, product_id, version, sku, name, category, description, price",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut upserts = Vec::new();
    let mut full_text = Vec::new();
    let mut tombstones = Vec::new();
    for (op, product_id, version, sku, name, category, description, price) in &events {
        if op == "delete" {
            tombstones.push(Tombstone {
                product_id: *product_id,
                version: *version,
            });
            continue;
        }
        let name = name.clone().unwrap();
        let description = description.clone().unwrap();
        full_text.push(SearchDocument {
            product_id: *product_id,
            version: *version,
            name: name.clone(),
            category: category.clone(),
            description: description.clone(),
        });
        let text = document::compose(&name, category.as_deref(), &description);
        upserts.push((
            text,
            VectorRecord {
                product_id: *product_id,
                version: *version,
                values: Vec::new(),
                metadata: ProductMetadata {
                    sku: sku.clone().unwrap(),
                    name,
                    category: category.clone(),
                    price: *price,
                },
            },
        ));
    }
    let documents = SearchDocuments::new(pool.clone());
    documents.upsert(&full_text).await.unwrap();
    documents.delete(&tombstones).await.unwrap();
    let texts: Vec<String> = upserts.iter().map(|(t, _)| t.clone()).collect();
    let vectors = embedder.embed(&texts).await.unwrap();
    let records: Vec<VectorRecord> = upserts
        .into_iter()
        .zip(vectors)
        .map(|((_, mut record), values)| {
            record.values = values;
            record
        })
        .collect();
    if !records.is_empty() {
        store.upsert(&records).await.unwrap();
    }
    if !tombstones.is_empty() {
        store.delete(&tombstones).await.unwrap();
    }
    events.len()
}

/// The whole story on one store: find, repair through the outbox, heal.
async fn find_repair_heal(db: &TestDatabase, store: &dyn VectorStore) {
    let pool = &db.pool;
    let embedder = embedder();
    let planted = plant(pool, store, embedder.as_ref()).await;

    let report = verify(pool, store, &embedder, false).await;
    assert_finds_what_was_planted(&report, &planted);
    let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(outbox, 0, "verify without --repair writes nothing");

    let report = verify(pool, store, &embedder, true).await;
    assert_finds_what_was_planted(&report, &planted);
    assert_eq!((report.reembed_enqueued, report.deletes_enqueued), (15, 4));
    // The repair is outbox events, exactly one per affected product: an
    // upsert of a new version for the 15 (the wordless included), a delete
    // that outranks the orphan's stored version (3) for the 4.
    let events: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT op, product_id, version FROM outbox ORDER BY product_id")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut reembedded: Vec<i64> = [
        &planted.missing,
        &planted.drifted,
        &planted.stale,
        &planted.wordless,
    ]
    .into_iter()
    .flatten()
    .copied()
    .collect();
    reembedded.sort_unstable();
    let upserts: Vec<i64> = events
        .iter()
        .filter(|e| e.0 == "upsert")
        .map(|e| e.1)
        .collect();
    assert_eq!(upserts, reembedded);
    for (op, id, version) in &events {
        let expected = if planted.stale.contains(id) { 3 } else { 2 };
        if op == "upsert" {
            assert_eq!(*version, expected, "product {id}: version after the bump");
        } else {
            assert!(planted.orphans.contains(id));
            assert_eq!(*version, 4);
        }
    }
    assert!(
        store.fetch(&planted.drifted).await.unwrap().len() == 3,
        "repair never touches a vector itself"
    );

    // The pipeline delivers the events: the index heals.
    assert_eq!(apply_outbox(pool, store, embedder.as_ref()).await, 19);
    let report = verify(pool, store, &embedder, false).await;
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.vectors, PRODUCTS as u64);
    assert_eq!(report.sampled, PRODUCTS as u64);

    // The re-embed switch is off again: a meaningless update still writes
    // no event and keeps the version (guarantee 5).
    sqlx::query("UPDATE products SET name = name")
        .execute(pool)
        .await
        .unwrap();
    let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(outbox, 0);
}

#[tokio::test]
async fn pgvector_find_repair_heal() {
    let db = TestDatabase::create().await;
    let store = PgVectorStore::new(db.pool.clone());
    find_repair_heal(&db, &store).await;
}

#[tokio::test]
async fn pinecone_find_repair_heal_in_pages() {
    let db = TestDatabase::create().await;
    let double = pinecone_double::Double::start("pcsk_reconcile").await;
    let settings = PineconeSettings {
        index_host: double.url().parse().unwrap(),
        api_key: Secret::new("pcsk_reconcile"),
        namespace: Some("catalog".into()),
        timeout: Duration::from_secs(5),
    };
    let store = PineconeStore::new(settings, db.pool.clone()).unwrap();
    find_repair_heal(&db, &store).await;
    // 249 ids listed 100 at a time: three pages, each following the token.
    let lists = double.requests_to("/vectors/list");
    assert!(lists.len() >= 3, "{} list requests", lists.len());
    assert!(lists.iter().skip(1).all(|r| {
        r.query.iter().any(|(k, _)| k == "paginationToken")
            || !lists[0].query.iter().any(|(k, _)| k == "paginationToken")
    }));
    double.assert_clean();
}

#[tokio::test]
async fn listing_walks_every_id_once() {
    let db = TestDatabase::create().await;
    let pg = PgVectorStore::new(db.pool.clone());
    let double = pinecone_double::Double::start("pcsk_list").await;
    let settings = PineconeSettings {
        index_host: double.url().parse().unwrap(),
        api_key: Secret::new("pcsk_list"),
        namespace: None,
        timeout: Duration::from_secs(5),
    };
    let pinecone = PineconeStore::new(settings, db.pool.clone()).unwrap();
    let mut values = vec![0.0; vector_store::DIMENSION];
    values[0] = 1.0;
    // Ids whose decimal strings sort differently from their numbers.
    let ids: Vec<i64> = (1..=230).map(|i| i * 7).collect();
    let records: Vec<VectorRecord> = ids
        .iter()
        .map(|id| VectorRecord {
            product_id: *id,
            version: 1,
            values: values.clone(),
            metadata: ProductMetadata {
                sku: format!("SKU-{id}"),
                name: "n".into(),
                ..Default::default()
            },
        })
        .collect();
    let deleted = [Tombstone {
        product_id: 14,
        version: 2,
    }];
    for store in [&pg as &dyn VectorStore, &pinecone] {
        store.upsert(&records).await.unwrap();
        store.delete(&deleted).await.unwrap();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = store.list_ids(cursor.as_deref(), 50).await.unwrap();
            assert!(page.ids.len() <= 50);
            seen.extend(page.ids);
            pages += 1;
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let expected: Vec<i64> = ids.iter().copied().filter(|id| *id != 14).collect();
        assert_eq!(sorted(seen), expected, "{store:?}");
        assert!(pages >= 5, "{store:?}: {pages} pages");
        let fetched = store.fetch(&[7, 14, 21, 999_999]).await.unwrap();
        assert_eq!(
            fetched.iter().map(|r| r.product_id).collect::<Vec<_>>(),
            [7, 21],
            "{store:?}: deleted and unknown ids are absent"
        );
        assert_eq!(fetched[0].values, values);
        assert_eq!(fetched[0].metadata.sku, "SKU-7");
    }
    double.assert_clean();
}
