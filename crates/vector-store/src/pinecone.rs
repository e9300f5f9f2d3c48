//! [`PineconeStore`]: a Pinecone index over its REST data plane (API version
//! 2025-10; the spec is `db_data.oas.yaml`, kept in the testkit's fixtures,
//! where a test double checks every request against it).
//!
//! What Pinecone cannot do, and what stands in for it: an upsert cannot be
//! conditional on the stored version, and a delete leaves no tombstone, so
//! Pinecone alone cannot refuse an older write the way
//! [`PgVectorStore`](super::PgVectorStore) does. So every write goes through
//! a ledger in Postgres (`ledger`; a store cannot be built without one): the
//! products' ledger rows are locked, changes not newer than the last written
//! version are dropped, the rest is written and recorded. Ordering must not
//! rest on SQS alone: FIFO delivers one product's events in order, but a
//! lost lease, a redelivery or an emulator that hands out a group's next
//! message early (the local one does, under long polling) puts two versions
//! of a product in two writers' hands at once; the chaos suite saw the older
//! one land last. Every vector also carries its version in metadata, so
//! `versions()` shows which version is live.
//!
//! Writes are eventually consistent: a query right after an upsert may not
//! see it yet.

mod batch;
pub mod control;
mod ledger;
mod metadata;
mod status;
mod wire;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use rust_decimal::prelude::ToPrimitive;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sqlx::PgPool;

use self::ledger::Ledger;
use self::wire::{
    Acknowledged, DeleteRequest, FetchResponse, FetchedVector, IndexDescription, ListResponse,
    QueryRequest, QueryResponse, UpsertVector,
};
use super::{
    IdPage, Match, QueryFilter, Tombstone, VectorRecord, VectorStore, VectorStoreError,
    validate_records,
};
use sync_core::coalesce::newest_per_product;
use sync_core::retry::{HttpRetryPolicy, Retry};
use sync_core::settings::{HttpUrl, Secret};

/// The API version this client speaks (`X-Pinecone-Api-Version`).
pub const API_VERSION: &str = "2025-10";

/// Ids per delete request (Pinecone's limit).
const MAX_DELETE_IDS: usize = 1_000;
/// Ids per fetch request. Fetch returns every vector's values (~4 KB of
/// JSON each) and takes the ids in the URL, so a small batch keeps both
/// the response and the request line modest.
const FETCH_IDS_PER_REQUEST: usize = 100;
/// Ids per list page: the documented default, and the most Pinecone returns.
const MAX_LIST_IDS: usize = 100;

/// Where the index is and how to reach it.
#[derive(Debug, Clone)]
pub struct PineconeSettings {
    /// The index's data-plane host (`https://<index>-<project>.svc.<env>.pinecone.io`,
    /// or Pinecone Local's `http://localhost:5081`).
    pub index_host: HttpUrl,
    pub api_key: Secret,
    /// `None` = the index's default namespace.
    pub namespace: Option<String>,
    /// Per request, connecting included.
    pub timeout: Duration,
}

#[derive(Clone)]
pub struct PineconeStore {
    http: reqwest::Client,
    host: String,
    namespace: Option<String>,
    retry: HttpRetryPolicy,
    ledger: Ledger,
}

// By hand: never risk printing the client's default headers (the API key).
impl fmt::Debug for PineconeStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PineconeStore")
            .field("host", &self.host)
            .field("namespace", &self.namespace)
            .field("retry", &self.retry)
            .field("ledger", &self.ledger)
            .finish_non_exhaustive()
    }
}

/// One data-plane call, kept so that it can be sent again as it was.
enum Call<'a> {
    Post {
        path: &'static str,
        body: Vec<u8>,
    },
    Get {
        path: &'static str,
        query: Vec<(&'static str, &'a str)>,
    },
}

/// The HTTP client of both Pinecone planes: the API key and API version on
/// every request, the per-request and connect timeouts. Fails only if the
/// key is not a valid header value or no TLS backend is available.
fn http_client(api_key: &Secret, timeout: Duration) -> Result<reqwest::Client, VectorStoreError> {
    let mut api_key = HeaderValue::from_str(api_key.expose()).map_err(|_| {
        VectorStoreError::Config("PINECONE_API_KEY is not a valid HTTP header value".into())
    })?;
    // Keeps it out of reqwest's Debug output and any header logging.
    api_key.set_sensitive(true);
    let mut headers = HeaderMap::new();
    headers.insert("Api-Key", api_key);
    headers.insert(
        "X-Pinecone-Api-Version",
        HeaderValue::from_static(API_VERSION),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .build()
        .map_err(|e| VectorStoreError::Config(format!("building the HTTP client: {e}")))
}

impl PineconeStore {
    /// Every upsert and delete is made conditional on being newer than the
    /// version last written, recorded in `pool`'s `vector_ledger` table
    /// (module comment): all writers of one index share the ledger.
    /// Fails only if the HTTP client cannot be built (an API key that is
    /// not a valid header value, or no TLS backend).
    pub fn new(settings: PineconeSettings, pool: PgPool) -> Result<Self, VectorStoreError> {
        let host = settings.index_host.0;
        let namespace = settings.namespace.filter(|ns| !ns.is_empty());
        // One ledger per index and namespace.
        let target = format!("{host}#{}", namespace.as_deref().unwrap_or_default());
        Ok(Self {
            http: http_client(&settings.api_key, settings.timeout)?,
            host,
            namespace,
            retry: HttpRetryPolicy::default(),
            ledger: Ledger::new(pool, target),
        })
    }

    /// Replace the default retry policy (tests use short delays).
    #[must_use]
    pub fn with_retry_policy(mut self, retry: HttpRetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// A call with retries: throttling, 5xx, timeouts and connection errors
    /// are retried with exponential backoff and jitter, waiting at least as
    /// long as `Retry-After` asks; anything else returns at once.
    async fn call<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, VectorStoreError> {
        self.retry
            .run(
                request_path(call),
                || self.call_once(call),
                |error| {
                    if error.is_retryable() {
                        Retry::After(error.retry_after())
                    } else {
                        Retry::Never
                    }
                },
            )
            .await
    }

    async fn call_once<T: DeserializeOwned>(&self, call: &Call<'_>) -> Result<T, VectorStoreError> {
        let request = match call {
            Call::Post { path, body } => self
                .http
                .post(format!("{}{path}", self.host))
                .header(CONTENT_TYPE, "application/json")
                .body(body.clone()),
            Call::Get { path, query } => self.http.get(format!("{}{path}", self.host)).query(query),
        };
        let response = request
            .send()
            .await
            .map_err(|e| status::transport_error(&e))?;
        let status = response.status();
        let headers = response.headers().clone();
        // A body cut off mid-way is a transport failure like any other.
        let body = response
            .bytes()
            .await
            .map_err(|e| status::transport_error(&e))?;
        if !status.is_success() {
            let text = String::from_utf8_lossy(&body);
            return Err(status::error_for_status(status.as_u16(), &headers, &text));
        }
        serde_json::from_slice(&body).map_err(|e| {
            VectorStoreError::Protocol(format!(
                "reading the response of {}: {e}",
                request_path(call)
            ))
        })
    }

    fn post(
        path: &'static str,
        body: &impl serde::Serialize,
    ) -> Result<Call<'static>, VectorStoreError> {
        let body = serde_json::to_vec(body)
            .map_err(|e| VectorStoreError::InvalidInput(format!("encoding the request: {e}")))?;
        Ok(Call::Post { path, body })
    }

    async fn describe_index_stats(
        &self,
        retry: bool,
    ) -> Result<IndexDescription, VectorStoreError> {
        // Serverless indexes reject a filter here; the request is an empty
        // object.
        let call = Self::post("/describe_index_stats", &json!({}))?;
        if retry {
            self.call(&call).await
        } else {
            self.call_once(&call).await
        }
    }

    /// Upsert requests within Pinecone's limits, one at a time: the records
    /// are one product's newest version each, so order between requests
    /// does not matter, but a failure stops the rest and the caller retries
    /// the whole (idempotent) call.
    async fn send_upserts(&self, records: &[&VectorRecord]) -> Result<(), VectorStoreError> {
        let vectors = records
            .iter()
            .map(|r| {
                serde_json::to_vec(&UpsertVector {
                    id: r.product_id.to_string(),
                    values: &r.values,
                    metadata: metadata::encode(r),
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| VectorStoreError::InvalidInput(format!("encoding a vector: {e}")))?;
        let bodies = batch::upsert_bodies(
            &vectors,
            self.namespace.as_deref(),
            batch::MAX_UPSERT_VECTORS,
            batch::MAX_UPSERT_BYTES,
        )
        .map_err(|i| {
            VectorStoreError::InvalidInput(format!(
                "the vector of product {} does not fit in one upsert request",
                records[i].product_id
            ))
        })?;
        for body in bodies {
            let _: Acknowledged = self
                .call(&Call::Post {
                    path: "/vectors/upsert",
                    body,
                })
                .await?;
        }
        Ok(())
    }

    /// Deleting an unknown id is not an error in Pinecone.
    async fn send_deletes(&self, tombstones: &[Tombstone]) -> Result<(), VectorStoreError> {
        let ids: Vec<String> = tombstones
            .iter()
            .map(|t| t.product_id.to_string())
            .collect();
        for chunk in ids.chunks(MAX_DELETE_IDS) {
            let request = DeleteRequest {
                ids: chunk.to_vec(),
                namespace: self.namespace.as_deref(),
            };
            let _: Acknowledged = self.call(&Self::post("/vectors/delete", &request)?).await?;
        }
        Ok(())
    }
}

fn request_path(call: &Call<'_>) -> &'static str {
    match call {
        Call::Post { path, .. } | Call::Get { path, .. } => path,
    }
}

#[async_trait]
impl VectorStore for PineconeStore {
    async fn upsert(&self, records: &[VectorRecord]) -> Result<(), VectorStoreError> {
        validate_records(records)?;
        let records = newest_per_product(records, |r| (r.product_id, r.version));
        let (newer, locked) = self
            .ledger
            .lock_newer(records, |r| (r.product_id, r.version))
            .await?;
        // On failure `locked` is dropped: rolled back, nothing recorded.
        self.send_upserts(&newer).await?;
        locked.record(false).await
    }

    async fn delete(&self, tombstones: &[Tombstone]) -> Result<(), VectorStoreError> {
        let tombstones =
            newest_per_product(tombstones.iter().copied(), |t| (t.product_id, t.version));
        let (newer, locked) = self
            .ledger
            .lock_newer(tombstones, |t| (t.product_id, t.version))
            .await?;
        self.send_deletes(&newer).await?;
        locked.record(true).await
    }

    async fn nearest(
        &self,
        vector: &[f32],
        top_k: usize,
        filter: &QueryFilter,
    ) -> Result<Vec<Match>, VectorStoreError> {
        let request = QueryRequest {
            namespace: self.namespace.as_deref(),
            top_k,
            vector,
            filter: filter_json(filter),
            include_values: false,
            include_metadata: true,
        };
        let response: QueryResponse = self.call(&Self::post("/query", &request)?).await?;
        let mut matches: Vec<Match> = response
            .matches
            .into_iter()
            .filter_map(|m| {
                let decoded = m.id.parse::<i64>().ok().zip(m.metadata.as_ref().and_then(metadata::decode));
                if decoded.is_none() {
                    // Not written by this store (a foreign vector in the
                    // namespace): skip it rather than fail every search.
                    tracing::warn!(id = %m.id, "skipping a Pinecone match without product metadata");
                }
                let (product_id, (version, metadata)) = decoded?;
                Some(Match {
                    product_id,
                    version,
                    score: m.score,
                    metadata,
                })
            })
            .collect();
        // Pinecone returns best first; sorting again makes it a guarantee.
        matches.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok(matches)
    }

    async fn versions(&self, product_ids: &[i64]) -> Result<HashMap<i64, i64>, VectorStoreError> {
        let fetched = self.fetch_vectors(product_ids).await?;
        Ok(fetched
            .into_iter()
            .filter_map(|(product_id, vector)| {
                let version = vector.metadata.as_ref().and_then(metadata::version)?;
                Some((product_id, version))
            })
            .collect())
    }

    async fn count(&self) -> Result<u64, VectorStoreError> {
        let stats = self.describe_index_stats(true).await?;
        let Some(namespaces) = stats.namespaces else {
            return Ok(stats.total_vector_count.unwrap_or(0));
        };
        // The default namespace is reported as "" (older servers) or
        // "__default__" (newer ones); an empty namespace is not reported.
        let keys: &[&str] = match &self.namespace {
            Some(ns) => &[ns.as_str()],
            None => &["", "__default__"],
        };
        Ok(keys
            .iter()
            .find_map(|key| namespaces.get(*key))
            .map_or(0, |summary| summary.vector_count))
    }

    async fn list_ids(
        &self,
        cursor: Option<&str>,
        limit: usize,
    ) -> Result<IdPage, VectorStoreError> {
        let limit = limit.clamp(1, MAX_LIST_IDS).to_string();
        let mut query: Vec<(&'static str, &str)> = vec![("limit", limit.as_str())];
        if let Some(token) = cursor {
            query.push(("paginationToken", token));
        }
        if let Some(ns) = &self.namespace {
            query.push(("namespace", ns));
        }
        let response: ListResponse = self
            .call(&Call::Get {
                path: "/vectors/list",
                query,
            })
            .await?;
        let mut ids = Vec::with_capacity(response.vectors.len());
        for item in response.vectors {
            match item.id.parse::<i64>() {
                Ok(id) => ids.push(id),
                // Not a product vector: nothing in the catalog can own it.
                Err(_) => {
                    tracing::warn!(id = %item.id, "skipping a Pinecone id that is not a product id")
                }
            }
        }
        let next = response
            .pagination
            .and_then(|p| p.next)
            .filter(|token| !token.is_empty());
        Ok(IdPage { ids, next })
    }

    async fn fetch(&self, product_ids: &[i64]) -> Result<Vec<VectorRecord>, VectorStoreError> {
        let fetched = self.fetch_vectors(product_ids).await?;
        let mut records: Vec<VectorRecord> = fetched
            .into_iter()
            .filter_map(|(product_id, vector)| {
                let (version, metadata) = vector.metadata.as_ref().and_then(metadata::decode)?;
                Some(VectorRecord {
                    product_id,
                    version,
                    values: vector.values,
                    metadata,
                })
            })
            .collect();
        records.sort_unstable_by_key(|r| r.product_id);
        Ok(records)
    }

    async fn ping(&self) -> Result<(), VectorStoreError> {
        self.describe_index_stats(false).await.map(|_| ())
    }
}

impl PineconeStore {
    /// `GET /vectors/fetch` in chunks, sent at once (a search fetches its
    /// whole window, a few chunks, on every miss); ids that are not product
    /// ids are left out.
    async fn fetch_vectors(
        &self,
        product_ids: &[i64],
    ) -> Result<Vec<(i64, FetchedVector)>, VectorStoreError> {
        let unique: HashSet<i64> = product_ids.iter().copied().collect();
        let ids: Vec<String> = unique.iter().map(i64::to_string).collect();
        let responses =
            futures::future::try_join_all(ids.chunks(FETCH_IDS_PER_REQUEST).map(|chunk| {
                // `ids` is an exploded form parameter: ids=1&ids=2&…
                let mut query: Vec<(&'static str, &str)> =
                    chunk.iter().map(|id| ("ids", id.as_str())).collect();
                if let Some(ns) = &self.namespace {
                    query.push(("namespace", ns));
                }
                async move {
                    self.call::<FetchResponse>(&Call::Get {
                        path: "/vectors/fetch",
                        query,
                    })
                    .await
                }
            }))
            .await?;
        Ok(responses
            .into_iter()
            .flat_map(|response| response.vectors)
            .filter_map(|(id, vector)| Some((id.parse::<i64>().ok()?, vector)))
            .collect())
    }
}

/// `{"category":{"$eq":…},"price":{"$gte":…,"$lte":…}}` with only the
/// conditions in use; `None` (no `filter` field at all) when there are none.
fn filter_json(filter: &QueryFilter) -> Option<Value> {
    let mut out = serde_json::Map::new();
    if let Some(category) = &filter.category {
        out.insert("category".into(), json!({ "$eq": category }));
    }
    let mut price = serde_json::Map::new();
    if let Some(min) = filter.min_price.and_then(|p| p.to_f64()) {
        price.insert("$gte".into(), json!(min));
    }
    if let Some(max) = filter.max_price.and_then(|p| p.to_f64()) {
        price.insert("$lte".into(), json!(max));
    }
    if !price.is_empty() {
        out.insert("price".into(), Value::Object(price));
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn filters_use_only_the_conditions_given() {
        assert_eq!(filter_json(&QueryFilter::default()), None);
        let filter = QueryFilter {
            category: Some("Kitchen".into()),
            min_price: Some(Decimal::new(1000, 2)),
            max_price: None,
        };
        assert_eq!(
            filter_json(&filter),
            Some(json!({"category": {"$eq": "Kitchen"}, "price": {"$gte": 10.0}}))
        );
    }

    #[tokio::test]
    async fn debug_never_shows_the_api_key() {
        // A lazy pool connects on first use: never, here.
        let pool = sqlx::postgres::PgPoolOptions::new()
            .connect_lazy("postgres://u:p@127.0.0.1:1/db")
            .unwrap();
        let settings = PineconeSettings {
            index_host: "http://127.0.0.1:1".parse().unwrap(),
            api_key: Secret::new("pcsk_hunter2"),
            namespace: None,
            timeout: Duration::from_secs(1),
        };
        let store = PineconeStore::new(settings, pool).unwrap();
        assert!(!format!("{store:?}").contains("hunter2"));
    }
}
