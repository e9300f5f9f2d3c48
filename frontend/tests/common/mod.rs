//! What the search suites share.

use embedding::Embedder;
use rust_decimal::Decimal;
use sqlx::PgPool;
use sync_core::document;
use vector_store::{
    PgVectorStore, ProductMetadata, SearchDocument, SearchDocuments, VectorRecord, VectorStore,
};

/// What emu does, for every product of `pool`: write its full-text
/// document, embed its composed text and upsert the vector at the row's
/// version, with its metadata.
pub async fn index_all(pool: &PgPool, store: &PgVectorStore, embedder: &dyn Embedder) {
    type Row = (
        i64,
        i64,
        String,
        String,
        Option<String>,
        Option<Decimal>,
        String,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, version, sku, name, category, price, description FROM products ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let documents = SearchDocuments::new(pool.clone());
    for chunk in rows.chunks(256) {
        let full_text: Vec<SearchDocument> = chunk
            .iter()
            .map(|r| SearchDocument {
                product_id: r.0,
                version: r.1,
                name: r.3.clone(),
                category: r.4.clone(),
                description: r.6.clone(),
            })
            .collect();
        documents.upsert(&full_text).await.unwrap();
        let texts: Vec<String> = chunk
            .iter()
            .map(|r| document::compose(&r.3, r.4.as_deref(), &r.6))
            .collect();
        let vectors = embedder.embed(&texts).await.unwrap();
        let records: Vec<VectorRecord> = chunk
            .iter()
            .zip(vectors)
            .map(|(r, values)| VectorRecord {
                product_id: r.0,
                version: r.1,
                values,
                metadata: ProductMetadata {
                    sku: r.2.clone(),
                    name: r.3.clone(),
                    category: r.4.clone(),
                    price: r.5,
                },
            })
            .collect();
        store.upsert(&records).await.unwrap();
    }
}
