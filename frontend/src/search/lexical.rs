//! The lexical side of search, answered by Postgres from the `products`
//! table (indexes in `migrations/20261123000003_product_search.sql`): exact
//! SKU and name matches, and full-text matches of every query word.

use sqlx::{PgPool, Postgres, QueryBuilder};

use super::products::{as_i64, push_filter};
use vector_store::QueryFilter;

/// The weighted document full-text search matches against; the very
/// expression the GIN index is built on (the planner matches it by
/// structure, so it must not drift from the migration).
const SEARCH_TEXT: &str = "(setweight(to_tsvector('english'::regconfig, p.name), 'A') \
     || setweight(to_tsvector('english'::regconfig, coalesce(p.category, '')), 'B') \
     || setweight(to_tsvector('english'::regconfig, p.description), 'D'))";

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
    let mut sql: QueryBuilder<'_, Postgres> = QueryBuilder::new("SELECT p.id, lower(p.sku) = ");
    sql.push_bind(key.to_owned())
        .push(" AS sku_exact, lower(p.name) = ")
        .push_bind(key.to_owned())
        .push(format_args!(
            " AS name_exact, ts_rank_cd({SEARCH_TEXT}, q) AS rank \
             FROM products p, websearch_to_tsquery('english'::regconfig, "
        ))
        .push_bind(key.to_owned())
        .push(") AS q WHERE (lower(p.sku) = ")
        .push_bind(key.to_owned())
        .push(" OR lower(p.name) = ")
        .push_bind(key.to_owned())
        .push(format_args!(" OR {SEARCH_TEXT} @@ q)"));
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
