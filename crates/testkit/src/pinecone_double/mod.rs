//! A local stand-in for a Pinecone index's data plane (axum on 127.0.0.1:0).
//!
//! Every request is checked against the official spec ([`Spec`]) and
//! against the limits the spec's prose and Pinecone's docs state (≤ 1000
//! vectors and ≤ 2 MB per upsert, ≤ 1000 ids per delete, metadata ≤ 40 KB
//! without nulls or nested objects, dimension 384). A request that breaks
//! any of them gets a 400 like Pinecone's and is recorded as a violation;
//! tests end with [`Double::assert_clean`]. Answers are checked against the
//! spec's response schemas too, so the client is tested against the shapes
//! Pinecone documents, not against what the double happens to send.
//!
//! Vectors are kept in memory, so query, fetch, list and stats answer from
//! real data. Faults (status codes, `Retry-After`, slow answers) are
//! scripted per request with [`Double::push_fault`]; for faults that last a
//! while, put an [`HttpFaultProxy`](super::http_fault_proxy::HttpFaultProxy)
//! in front of it.
//!
//! One implementation for every user: the store's own tests
//! (`vector-store`'s and `catalogctl`'s tests), emu's tests
//! and the chaos suite, where emu processes write to it as their Pinecone
//! index and `catalogctl::reconcile::verify` reads it back. Long runs turn off
//! the request log ([`Double::set_recording`]) so memory stays flat.
//!
//! Layout: this file is the server (routing, the spec and limit checks,
//! scripted faults, the request log); `index.rs` is the index itself
//! (namespaces in memory, query scoring, fetch, list pagination, stats);
//! `filter.rs` is Pinecone's metadata filter language.

mod filter;
mod index;

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use super::pinecone_spec::Spec;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use filter::matches;
use serde_json::{Map, Value, json};
use sync_core::DIMENSION;

pub const MAX_UPSERT_VECTORS: usize = 1_000;
/// 2 MB, read as decimal: the stricter of the two readings.
pub const MAX_UPSERT_BYTES: usize = 2_000_000;
pub const MAX_DELETE_IDS: usize = 1_000;
pub const MAX_FETCH_IDS: usize = 1_000;
/// 40 KB, read as decimal: the stricter reading.
pub const MAX_METADATA_BYTES: usize = 40_000;

/// One scripted answer, used by the next request instead of the real one.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status (and an rpcStatus body).
    Status {
        status: u16,
        retry_after: Option<RetryAfter>,
    },
    /// Wait this long, then answer normally.
    Delay(Duration),
}

#[derive(Debug, Clone)]
pub enum RetryAfter {
    Seconds(u64),
    /// An HTTP date this far after the moment of answering.
    DateIn(Duration),
}

/// A request as the double received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
    pub at: Instant,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Data {
    namespaces: index::Namespaces,
    requests: Vec<Recorded>,
    violations: Vec<String>,
    faults: VecDeque<Fault>,
    refused_ids: HashSet<String>,
    /// Keep every request in `requests` (on unless turned off).
    recording: bool,
}

struct Shared {
    spec: Spec,
    api_key: String,
    data: Mutex<Data>,
}

pub struct Double {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Double {
    pub async fn start(api_key: &str) -> Self {
        let shared = Arc::new(Shared {
            spec: Spec::data_plane(),
            api_key: api_key.to_owned(),
            data: Mutex::new(Data {
                recording: true,
                ..Data::default()
            }),
        });
        let app = Router::new()
            .fallback(handle)
            // Take oversized bodies in, to report them rather than have the
            // framework refuse them before the checks run.
            .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn spec(&self) -> &Spec {
        &self.shared.spec
    }

    pub fn push_fault(&self, fault: Fault) {
        self.data().faults.push_back(fault);
    }

    /// Scripted faults not yet served.
    pub fn faults_left(&self) -> usize {
        self.data().faults.len()
    }

    /// Answer every upsert that contains vector `id` with a 400, as
    /// Pinecone does for data it will never accept (one bad record among
    /// good ones, as far as the client can tell).
    pub fn refuse_id(&self, id: &str) {
        self.data().refused_ids.insert(id.to_owned());
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.data().requests.clone()
    }

    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path == path)
            .collect()
    }

    pub fn clear_requests(&self) {
        self.data().requests.clear();
    }

    /// Whether requests are kept for [`Self::requests`] (on by default).
    /// Violations are recorded either way.
    pub fn set_recording(&self, on: bool) {
        let mut data = self.data();
        data.recording = on;
        if !on {
            data.requests.clear();
        }
    }

    /// Violations so far, forgetting them (for tests that provoke some).
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut self.data().violations)
    }

    /// Every request so far met the spec and the limits.
    pub fn assert_clean(&self) {
        let violations = self.take_violations();
        assert!(
            violations.is_empty(),
            "requests broke the Pinecone spec:\n{}",
            violations.join("\n")
        );
    }

    /// The stored metadata of a vector, as Pinecone keeps it.
    pub fn stored_metadata(&self, namespace: &str, id: &str) -> Option<Map<String, Value>> {
        self.data()
            .namespaces
            .get(namespace)
            .and_then(|ns| ns.get(id))
            .map(|v| v.metadata.clone())
    }

    pub fn stored_count(&self, namespace: &str) -> usize {
        self.data()
            .namespaces
            .get(namespace)
            .map_or(0, BTreeMap::len)
    }

    fn data(&self) -> std::sync::MutexGuard<'_, Data> {
        self.shared.data.lock().unwrap()
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let query =
        Query::<Vec<(String, String)>>::try_from_uri(&uri).map_or_else(|_| Vec::new(), |q| q.0);
    {
        let mut data = shared.data.lock().unwrap();
        if data.recording {
            data.requests.push(Recorded {
                method: method.clone(),
                path: path.clone(),
                query: query.clone(),
                headers: headers.clone(),
                body: body.to_vec(),
                at: Instant::now(),
            });
        }
    }
    let violation = |problems: Vec<String>| {
        let message = format!("{method} {path}: {}", problems.join("; "));
        shared.data.lock().unwrap().violations.push(message.clone());
        rpc_error(StatusCode::BAD_REQUEST, 3, &message)
    };

    let Some(op) = shared.spec.operation(&method, &path) else {
        return violation(vec!["no such operation in the spec".into()]);
    };
    let mut problems = shared.spec.check_request(op, &headers, &query, &body);
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if problems.is_empty() {
        problems = check_limits(&path, &query, &body, &json);
    }
    if !problems.is_empty() {
        return violation(problems);
    }
    // A present but wrong key is the caller's business (Pinecone: 401),
    // not a protocol violation.
    if headers.get("Api-Key").and_then(|v| v.to_str().ok()) != Some(shared.api_key.as_str()) {
        return rpc_error(StatusCode::UNAUTHORIZED, 16, "Invalid API Key");
    }

    let fault = shared.data.lock().unwrap().faults.pop_front();
    match fault {
        Some(Fault::Status {
            status,
            retry_after,
        }) => {
            let status = StatusCode::from_u16(status).unwrap();
            let mut response = rpc_error(status, 14, "scripted fault");
            if let Some(retry_after) = retry_after {
                let value = match retry_after {
                    RetryAfter::Seconds(s) => s.to_string(),
                    RetryAfter::DateIn(d) => httpdate::fmt_http_date(SystemTime::now() + d),
                };
                response
                    .headers_mut()
                    .insert("retry-after", HeaderValue::from_str(&value).unwrap());
            }
            return response;
        }
        Some(Fault::Delay(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }
    if path == "/vectors/upsert" {
        let refused = shared.data.lock().unwrap().refused_ids.clone();
        let ids = json["vectors"].as_array().into_iter().flatten();
        if let Some(id) = ids
            .filter_map(|v| v["id"].as_str())
            .find(|id| refused.contains(*id))
        {
            let message = format!("Vector {id}: scripted refusal");
            return rpc_error(StatusCode::BAD_REQUEST, 3, &message);
        }
    }

    let answer = {
        let mut data = shared.data.lock().unwrap();
        match path.as_str() {
            "/vectors/upsert" => index::upsert(&mut data.namespaces, &json),
            "/vectors/delete" => index::delete(&mut data.namespaces, &json),
            "/query" => index::query_vectors(&data.namespaces, &json),
            "/vectors/fetch" => index::fetch(&data.namespaces, &query),
            "/vectors/list" => index::list(&data.namespaces, &query),
            "/describe_index_stats" => index::stats(&data.namespaces),
            _ => Err(format!("{path} is not implemented by the double")),
        }
    };
    match answer {
        Ok(body) => {
            let off_spec = shared.spec.check_response(op, 200, &body);
            if !off_spec.is_empty() {
                let message = format!(
                    "the double answered {path} off-spec: {}",
                    off_spec.join("; ")
                );
                shared.data.lock().unwrap().violations.push(message);
            }
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Err(message) => violation(vec![message]),
    }
}

fn rpc_error(status: StatusCode, code: i32, message: &str) -> Response {
    (
        status,
        axum::Json(json!({ "code": code, "message": message, "details": [] })),
    )
        .into_response()
}

/// The limits the schema does not express (or expresses only in prose).
fn check_limits(path: &str, query: &[(String, String)], body: &[u8], json: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    match path {
        "/vectors/upsert" => {
            if body.len() > MAX_UPSERT_BYTES {
                problems.push(format!(
                    "upsert body of {} bytes, over {MAX_UPSERT_BYTES}",
                    body.len()
                ));
            }
            let vectors = json["vectors"].as_array().map_or(&[][..], Vec::as_slice);
            if vectors.is_empty() || vectors.len() > MAX_UPSERT_VECTORS {
                problems.push(format!("{} vectors in one upsert", vectors.len()));
            }
            for vector in vectors {
                let id = vector["id"].as_str().unwrap_or("");
                let values = vector["values"].as_array().map_or(&[][..], Vec::as_slice);
                if values.len() != DIMENSION {
                    problems.push(format!(
                        "vector {id}: dimension {} (index: {DIMENSION})",
                        values.len()
                    ));
                }
                if values.iter().all(|v| v.as_f64() == Some(0.0)) {
                    problems.push(format!("vector {id}: all zeros"));
                }
                if let Some(metadata) = vector.get("metadata") {
                    problems.extend(check_metadata(id, metadata));
                }
            }
        }
        "/vectors/delete" => {
            let ids = json["ids"].as_array().map_or(0, Vec::len);
            let modes = [
                json.get("ids").is_some(),
                json["deleteAll"] == true,
                json.get("filter").is_some(),
            ];
            if modes.iter().filter(|m| **m).count() != 1 {
                problems.push("delete needs exactly one of ids, deleteAll, filter".into());
            }
            if json.get("ids").is_some() && !(1..=MAX_DELETE_IDS).contains(&ids) {
                problems.push(format!("{ids} ids in one delete"));
            }
        }
        "/query" => {
            match (json.get("vector"), json.get("id")) {
                (Some(vector), None) => {
                    let len = vector.as_array().map_or(0, Vec::len);
                    if len != DIMENSION {
                        problems.push(format!(
                            "query vector of dimension {len} (index: {DIMENSION})"
                        ));
                    }
                }
                _ => problems.push("query needs exactly one of vector, id".into()),
            }
            if let Some(filter) = json.get("filter")
                && let Err(e) = matches(filter, &Map::new())
            {
                problems.push(format!("invalid filter: {e}"));
            }
        }
        "/vectors/fetch" => {
            let ids = query.iter().filter(|(k, _)| k == "ids").count();
            if ids > MAX_FETCH_IDS {
                problems.push(format!("{ids} ids in one fetch"));
            }
        }
        "/describe_index_stats" if json.get("filter").is_some() => {
            problems.push("serverless indexes do not filter describe_index_stats".into());
        }
        _ => {}
    }
    problems
}

/// Pinecone's metadata rules: flat, no nulls, ≤ 40 KB.
fn check_metadata(id: &str, metadata: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(object) = metadata.as_object() else {
        return vec![format!("vector {id}: metadata is not an object")];
    };
    for (key, value) in object {
        let ok = match value {
            Value::String(_) | Value::Number(_) | Value::Bool(_) => true,
            Value::Array(items) => items.iter().all(Value::is_string),
            Value::Null | Value::Object(_) => false,
        };
        if !ok {
            problems.push(format!(
                "vector {id}: metadata {key} is {value} (null, nested or mixed)"
            ));
        }
    }
    let size = serde_json::to_vec(metadata).unwrap().len();
    if size > MAX_METADATA_BYTES {
        problems.push(format!(
            "vector {id}: metadata of {size} bytes, over {MAX_METADATA_BYTES}"
        ));
    }
    problems
}
