//! The JSON of the Pinecone data plane (API version 2025-10), as specified
//! in `db_data.oas.yaml`: only the operations and fields this store uses.
//! Field names are the spec's (camelCase); optional fields are left out
//! rather than sent as null.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `Vector` (an element of `UpsertRequest.vectors`).
#[derive(Debug, Serialize)]
pub(super) struct UpsertVector<'a> {
    pub id: String,
    pub values: &'a [f32],
    pub metadata: Map<String, Value>,
}

/// `DeleteRequest`.
#[derive(Debug, Serialize)]
pub(super) struct DeleteRequest<'a> {
    pub ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<&'a str>,
}

/// `QueryRequest`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct QueryRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<&'a str>,
    pub top_k: usize,
    pub vector: &'a [f32],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<Value>,
    pub include_values: bool,
    pub include_metadata: bool,
}

/// `UpsertResponse`, `DeleteResponse`: nothing we need beyond "it parsed".
#[derive(Debug, Deserialize)]
pub(super) struct Acknowledged {}

/// `QueryResponse`.
#[derive(Debug, Deserialize)]
pub(super) struct QueryResponse {
    #[serde(default)]
    pub matches: Vec<ScoredVector>,
}

/// `ScoredVector`.
#[derive(Debug, Deserialize)]
pub(super) struct ScoredVector {
    pub id: String,
    #[serde(default)]
    pub score: f32,
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
}

/// `FetchResponse`.
#[derive(Debug, Deserialize)]
pub(super) struct FetchResponse {
    #[serde(default)]
    pub vectors: HashMap<String, FetchedVector>,
}

/// `Vector` as fetched.
#[derive(Debug, Deserialize)]
pub(super) struct FetchedVector {
    #[serde(default)]
    pub values: Vec<f32>,
    #[serde(default)]
    pub metadata: Option<Map<String, Value>>,
}

/// `ListResponse`: one page of ids.
#[derive(Debug, Deserialize)]
pub(super) struct ListResponse {
    #[serde(default)]
    pub vectors: Vec<ListItem>,
    #[serde(default)]
    pub pagination: Option<Pagination>,
}

/// `ListItem`.
#[derive(Debug, Deserialize)]
pub(super) struct ListItem {
    pub id: String,
}

/// `Pagination`: absent (or without `next`) after the last page.
#[derive(Debug, Deserialize)]
pub(super) struct Pagination {
    #[serde(default)]
    pub next: Option<String>,
}

/// `IndexDescription` (the `describe_index_stats` response).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct IndexDescription {
    #[serde(default)]
    pub namespaces: Option<HashMap<String, NamespaceSummary>>,
    #[serde(default)]
    pub total_vector_count: Option<u64>,
}

/// `NamespaceSummary`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct NamespaceSummary {
    #[serde(default)]
    pub vector_count: u64,
}

/// `rpcStatus`: the body of an error response.
#[derive(Debug, Deserialize)]
pub(super) struct RpcStatus {
    #[serde(default)]
    pub message: Option<String>,
}
