//! The lexical side of search, answered by Postgres: exact SKU and name
//! matches from the `products` table itself (B-tree indexes in
//! `migrations/20261123000003_product_search.sql`, so a product is found by
//! its SKU the moment it is committed), and full-text matches of every
//! query word from the documents emu writes with the vectors
//! (`product_search_documents`, `migrations/20261204000010_search_documents.sql`).

use sqlx::{PgPool, Postgres, QueryBuilder};

use super::products::{as_i64, push_filter};
use vector_store::QueryFilter;

/// How a product matched the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Exactness {
    /// The query is the product's SKU.
    Sku,
    /// The query is the product's name.
    Name,
    /// The product contains every word of the query.
    Words,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct LexicalMatch {
    pub product_id: i64,
    pub exactness: Exactness,
}

/// Products matching `key` (a normalised query) lexically, best first:
/// SKU matches, name matches, then full-text matches by `ts_rank_cd`; ties
/// by id. At most `limit`, all passing `filter`.
///
/// Full text requires every query word (`websearch_to_tsquery`): a product
/// that shares one common word with a shopper's sentence is no evidence,
/// and letting such matches vote would push noise into semantic results.
pub(super) async fn matches(
    pool: &PgPool,
    key: &str,
    filter: &QueryFilter,
    limit: usize,
) -> Result<Vec<LexicalMatch>, sqlx::Error> {
    // Exact matches and full-text matches are found separately, each by
    // its own index (an OR across the two tables could use neither), then
    // read back from the live rows: a document of a deleted product, or of
    // one that fails the filter, never comes back.
    let mut sql: QueryBuilder<'_, Postgres> =
        QueryBuilder::new("WITH q AS (SELECT websearch_to_tsquery('english'::regconfig, ");
    sql.push_bind(key.to_owned())
        .push(
            ") AS q), hits AS (\
               SELECT p.id FROM products p WHERE lower(p.sku) = ",
        )
        .push_bind(key.to_owned())
        .push(" OR lower(p.name) = ")
        .push_bind(key.to_owned())
        .push(
            " UNION SELECT d.product_id FROM product_search_documents d, q \
               WHERE d.document @@ q.q) \
             SELECT p.id, lower(p.sku) = ",
        )
        .push_bind(key.to_owned())
        .push(" AS sku_exact, lower(p.name) = ")
        .push_bind(key.to_owned())
        .push(
            " AS name_exact, coalesce(ts_rank_cd(d.document, q.q), 0) AS rank \
             FROM hits h JOIN products p ON p.id = h.id \
             LEFT JOIN product_search_documents d ON d.product_id = p.id \
             CROSS JOIN q WHERE true",
        );
    push_filter(&mut sql, "p", filter);
    sql.push(" ORDER BY sku_exact DESC, name_exact DESC, rank DESC, p.id LIMIT ")
        .push_bind(as_i64(limit));
    let rows: Vec<(i64, bool, bool, f32)> = sql.build_query_as().fetch_all(pool).await?;
    Ok(rows
        .into_iter()
        .map(|(product_id, sku, name, _)| LexicalMatch {
            product_id,
            exactness: if sku {
                Exactness::Sku
            } else if name {
                Exactness::Name
            } else {
                Exactness::Words
            },
        })
        .collect())
}
