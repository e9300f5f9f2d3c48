//! A local stand-in for Pinecone's control plane (axum on 127.0.0.1:0):
//! `POST /indexes` and `GET /indexes/{index_name}`, as Pinecone Local
//! serves them.
//!
//! Every request is checked against the official spec ([`Spec`]); one that
//! breaks it gets a 400 and is recorded as a violation, and tests end with
//! [`ControlDouble::assert_clean`]. The double's own answers are checked
//! against the response schemas too. Like Pinecone Local, a new index gets
//! the next port from 5081 in its host (`<host>:<port>`, no scheme), and
//! becomes ready after a scripted number of describes.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::pinecone_spec::Spec;

/// A request as the double received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// One scripted answer, used by the next request instead of the real one.
#[derive(Debug, Clone, Copy)]
pub struct Fault {
    pub status: u16,
    pub retry_after_s: Option<u64>,
}

struct Index {
    model: Value,
    /// Describes left before it reports ready.
    describes_until_ready: usize,
}

#[derive(Default)]
struct State {
    indexes: BTreeMap<String, Index>,
    requests: Vec<Recorded>,
    violations: Vec<String>,
    faults: VecDeque<Fault>,
    next_port: u16,
    describes_until_ready: usize,
}

struct Shared {
    spec: Spec,
    api_key: String,
    /// What the hosts of new indexes are made of (Pinecone Local's
    /// `PINECONE_HOST`).
    host_name: String,
    state: Mutex<State>,
}

pub struct ControlDouble {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl ControlDouble {
    /// New indexes are served at `<host_name>:5081`, `:5082`, …
    pub async fn start(api_key: &str, host_name: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::serve(listener, api_key, host_name)
    }

    /// The same on a given address (a control plane that comes up late).
    pub async fn start_at(addr: SocketAddr, api_key: &str, host_name: &str) -> Self {
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        Self::serve(listener, api_key, host_name)
    }

    fn serve(listener: tokio::net::TcpListener, api_key: &str, host_name: &str) -> Self {
        let shared = Arc::new(Shared {
            spec: Spec::control_plane(),
            api_key: api_key.to_owned(),
            host_name: host_name.to_owned(),
            state: Mutex::new(State {
                next_port: 5081,
                ..State::default()
            }),
        });
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, shared }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Indexes created from now on report ready from their n-th describe
    /// on (0: at once, in the create response already).
    pub fn ready_after_describes(&self, describes: usize) {
        self.state().describes_until_ready = describes;
    }

    /// An index that exists already, of any shape, ready.
    pub fn insert_index(&self, name: &str, dimension: u64, metric: &str) {
        let mut state = self.state();
        let host = format!("{}:{}", self.shared.host_name, state.next_port);
        state.next_port += 1;
        let model = index_model(name, dimension, metric, &host, true);
        state.indexes.insert(
            name.to_owned(),
            Index {
                model,
                describes_until_ready: 0,
            },
        );
    }

    pub fn push_fault(&self, status: u16, retry_after_s: Option<u64>) {
        self.state().faults.push_back(Fault {
            status,
            retry_after_s,
        });
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state().requests.clone()
    }

    pub fn requests_to(&self, method: &Method, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    }

    pub fn index_count(&self) -> usize {
        self.state().indexes.len()
    }

    /// Every request so far met the spec, and so did every answer.
    pub fn assert_clean(&self) {
        let violations = std::mem::take(&mut self.state().violations);
        assert!(
            violations.is_empty(),
            "the control-plane exchange broke the Pinecone spec:\n{}",
            violations.join("\n")
        );
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().unwrap()
    }
}

/// `IndexModel` of a serverless index, as Pinecone (Local) describes it.
fn index_model(name: &str, dimension: u64, metric: &str, host: &str, ready: bool) -> Value {
    json!({
        "name": name,
        "dimension": dimension,
        "metric": metric,
        "host": host,
        "deletion_protection": "disabled",
        "spec": {"serverless": {
            "cloud": "aws",
            "region": "us-east-1",
            "read_capacity": {"mode": "OnDemand", "status": {"state": "Ready"}},
        }},
        "status": {"ready": ready, "state": if ready { "Ready" } else { "Initializing" }},
        "vector_type": "dense",
    })
}

fn error_response(status: StatusCode, code: &str, message: &str) -> (StatusCode, Value) {
    let body = json!({
        "error": {"code": code, "message": message},
        "status": status.as_u16(),
    });
    (status, body)
}

async fn handle(
    axum::extract::State(shared): axum::extract::State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    shared.state.lock().unwrap().requests.push(Recorded {
        method: method.clone(),
        path: path.clone(),
        headers: headers.clone(),
        body: body.to_vec(),
    });
    let (template, name) = match (&method, path.strip_prefix("/indexes")) {
        (&Method::POST, Some("")) => ("/indexes", None),
        (&Method::GET, Some(rest)) if rest.len() > 1 && !rest[1..].contains('/') => {
            ("/indexes/{index_name}", Some(rest[1..].to_owned()))
        }
        _ => {
            let message = format!("{method} {path}: not an operation the double serves");
            shared
                .state
                .lock()
                .unwrap()
                .violations
                .push(message.clone());
            let (status, body) = error_response(StatusCode::NOT_FOUND, "NOT_FOUND", &message);
            return (status, axum::Json(body)).into_response();
        }
    };
    let op = shared
        .spec
        .operation(&method, template)
        .unwrap_or_else(|| panic!("the spec has no {method} {template}"));
    let query =
        Query::<Vec<(String, String)>>::try_from_uri(&uri).map_or_else(|_| Vec::new(), |q| q.0);
    let problems = shared.spec.check_request(op, &headers, &query, &body);
    let (status, answer) = if !problems.is_empty() {
        let message = format!("{method} {path}: {}", problems.join("; "));
        shared
            .state
            .lock()
            .unwrap()
            .violations
            .push(message.clone());
        error_response(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", &message)
    } else if headers.get("Api-Key").and_then(|v| v.to_str().ok()) != Some(&shared.api_key) {
        error_response(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "Invalid API key.",
        )
    } else if let Some(fault) = shared.state.lock().unwrap().faults.pop_front() {
        let status = StatusCode::from_u16(fault.status).unwrap();
        let (status, body) = error_response(status, "UNAVAILABLE", "scripted fault");
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(seconds) = fault.retry_after_s {
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(seconds));
        }
        return response;
    } else {
        let mut state = shared.state.lock().unwrap();
        match name {
            None => create(&shared, &mut state, &body),
            Some(name) => describe(&mut state, &name),
        }
    };
    let off_spec = shared.spec.check_response(op, status.as_u16(), &answer);
    if !off_spec.is_empty() {
        let message = format!(
            "the double answered {path} off-spec: {}",
            off_spec.join("; ")
        );
        shared.state.lock().unwrap().violations.push(message);
    }
    (status, axum::Json(answer)).into_response()
}

fn create(shared: &Shared, state: &mut State, body: &[u8]) -> (StatusCode, Value) {
    let request: Value = serde_json::from_slice(body).unwrap();
    let name = request["name"].as_str().unwrap().to_owned();
    if state.indexes.contains_key(&name) {
        return error_response(
            StatusCode::CONFLICT,
            "ALREADY_EXISTS",
            "Resource already exists.",
        );
    }
    // Dense (the default) needs a dimension; the schema cannot say so.
    let Some(dimension) = request["dimension"].as_u64() else {
        let message = "Dense vectors require a dimension";
        state.violations.push(format!("POST /indexes: {message}"));
        return error_response(StatusCode::BAD_REQUEST, "INVALID_ARGUMENT", message);
    };
    let host = format!("{}:{}", shared.host_name, state.next_port);
    state.next_port += 1;
    let metric = request["metric"].as_str().unwrap_or("cosine");
    let ready = state.describes_until_ready == 0;
    let model = index_model(&name, dimension, metric, &host, ready);
    state.indexes.insert(
        name,
        Index {
            model: model.clone(),
            describes_until_ready: state.describes_until_ready,
        },
    );
    (StatusCode::CREATED, model)
}

fn describe(state: &mut State, name: &str) -> (StatusCode, Value) {
    let Some(index) = state.indexes.get_mut(name) else {
        let message = format!("Index {name} not found.");
        return error_response(StatusCode::NOT_FOUND, "NOT_FOUND", &message);
    };
    if index.describes_until_ready > 0 {
        index.describes_until_ready -= 1;
        if index.describes_until_ready == 0 {
            index.model["status"] = json!({"ready": true, "state": "Ready"});
        }
    }
    (StatusCode::OK, index.model.clone())
}
