//! Creating the index: a client of Pinecone's control plane (API version
//! 2025-10, `db_control.oas.yaml`), just enough for an idempotent "ensure
//! the index exists and is ready" at deployment time (`catalogctl
//! setup-pinecone`; compose runs it against Pinecone Local).
//!
//! The index is what [`PineconeStore`](super::PineconeStore) writes:
//! [`DIMENSION`] dense values compared by cosine, like pgvector. An index of
//! the given name that already exists is accepted only with that shape; any
//! other is an error naming the difference, never something to adapt to.
//!
//! Start-up runs this while Pinecone (Local) may itself still be starting,
//! so a refused connection, a timeout, a 5xx or a 429 is retried with the
//! system's backoff ([`sync_core::retry::backoff`], honouring `Retry-After`)
//! until one overall deadline; a refused key or a bad request fails at once.

mod wire;

use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;

use super::status::transport_error;
use crate::{DIMENSION, VectorStoreError};
use sync_core::settings::{HttpUrl, Secret};
use wire::{
    CreateIndexRequest, IndexModel, IndexSpec, ServerlessSpec, error_for_status, parse, read,
};

/// The metric of the index: the stores rank by cosine similarity.
pub const METRIC: &str = "cosine";

/// Where the control plane is and how to reach it.
#[derive(Debug, Clone)]
pub struct ControlPlaneSettings {
    /// `https://api.pinecone.io`, or Pinecone Local's `http://localhost:5080`.
    pub control_url: HttpUrl,
    pub api_key: Secret,
    /// Per request, connecting included.
    pub timeout: Duration,
}

/// The serverless index to ensure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerlessIndex {
    /// 1–45 characters: lowercase letters, digits and `-`, starting and
    /// ending with a letter or digit (Pinecone's rule).
    pub name: String,
    /// `aws`, `gcp` or `azure`.
    pub cloud: String,
    pub region: String,
}

/// How long [`PineconeControl::ensure_index`] keeps trying, and its backoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetupWait {
    /// The whole call: creating, retries and waiting for readiness. Pinecone
    /// documents serverless index creation as taking seconds to a minute.
    pub timeout: Duration,
    /// First delay between attempts and polls; doubles, with jitter.
    pub min_delay: Duration,
    /// Cap of one delay.
    pub max_delay: Duration,
}

impl Default for SetupWait {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(180),
            min_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
        }
    }
}

/// An index that is ready to take writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadyIndex {
    pub name: String,
    /// Its data-plane URL, in the form `PINECONE_INDEX_HOST` takes.
    pub host: HttpUrl,
    /// Whether this call created it (`false`: it existed already).
    pub created: bool,
}

impl ReadyIndex {
    /// Fails, naming both, when the index is not served at `expected` (a
    /// deployment's fixed `PINECONE_INDEX_HOST` that no longer matches).
    pub fn expect_host(&self, expected: &HttpUrl) -> Result<(), VectorStoreError> {
        if self.host.0.eq_ignore_ascii_case(&expected.0) {
            return Ok(());
        }
        Err(VectorStoreError::Config(format!(
            "PINECONE_INDEX_HOST is {expected}, but the control plane serves index {} at {}",
            self.name, self.host
        )))
    }
}

#[derive(Clone)]
pub struct PineconeControl {
    http: reqwest::Client,
    base: HttpUrl,
    wait: SetupWait,
}

// By hand, like `PineconeStore`: the client's default headers hold the key.
impl std::fmt::Debug for PineconeControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PineconeControl")
            .field("base", &self.base)
            .field("wait", &self.wait)
            .finish_non_exhaustive()
    }
}

/// Whether the create call made the index.
enum Created {
    /// 201, with the new index's description.
    New(IndexModel),
    /// 409: an index of that name exists (its shape is checked next).
    Exists,
}

impl PineconeControl {
    /// Fails only if the HTTP client cannot be built (an API key that is not
    /// a valid header value, or no TLS backend).
    pub fn new(settings: ControlPlaneSettings) -> Result<Self, VectorStoreError> {
        Ok(Self {
            http: super::http_client(&settings.api_key, settings.timeout)?,
            base: settings.control_url,
            wait: SetupWait::default(),
        })
    }

    /// Replace the default wait (tests use short delays).
    #[must_use]
    pub fn with_wait(mut self, wait: SetupWait) -> Self {
        self.wait = wait;
        self
    }

    /// Create the index unless it exists, check that an existing one has the
    /// shape this system writes, and wait until it is ready. Safe to run on
    /// every start-up.
    pub async fn ensure_index(
        &self,
        index: &ServerlessIndex,
    ) -> Result<ReadyIndex, VectorStoreError> {
        validate_name(&index.name)?;
        let deadline = Instant::now() + self.wait.timeout;
        let created = self
            .retrying(deadline, "creating the Pinecone index", || {
                self.create_once(index)
            })
            .await?;
        let (mut known, created) = match created {
            Created::New(model) => (Some(model), true),
            Created::Exists => (None, false),
        };
        let mut polls = sync_core::retry::backoff(self.wait.min_delay, self.wait.max_delay);
        loop {
            let model = match known.take() {
                Some(model) => Some(model),
                None => {
                    self.retrying(deadline, "describing the Pinecone index", || {
                        self.describe_once(&index.name)
                    })
                    .await?
                }
            };
            // Just created (or just deleted elsewhere), the index may not
            // be listed yet: keep polling like for one that is not ready.
            let state = match model {
                Some(model) => {
                    check_shape(&index.name, &model)?;
                    if model.status.ready {
                        let host = index_url(&model.host, self.scheme()).map_err(|e| {
                            VectorStoreError::Protocol(format!(
                                "index {} has host {:?}, which {e}",
                                index.name, model.host
                            ))
                        })?;
                        return Ok(ReadyIndex {
                            name: index.name.clone(),
                            host,
                            created,
                        });
                    }
                    if matches!(
                        model.status.state.as_str(),
                        "InitializationFailed" | "Terminating"
                    ) {
                        return Err(VectorStoreError::Config(format!(
                            "Pinecone index {} is {}; it will not become ready",
                            index.name, model.status.state
                        )));
                    }
                    model.status.state
                }
                None => "not listed yet".to_owned(),
            };
            let delay = polls.next().unwrap_or(self.wait.max_delay);
            if Instant::now() + delay > deadline {
                return Err(VectorStoreError::Unavailable {
                    status: None,
                    retry_after: None,
                    message: format!(
                        "Pinecone index {} was not ready within {:?} (state: {state})",
                        index.name, self.wait.timeout
                    ),
                });
            }
            tracing::info!(index = %index.name, %state, ?delay, "waiting for the Pinecone index");
            tokio::time::sleep(delay).await;
        }
    }

    /// `POST /indexes`.
    async fn create_once(&self, index: &ServerlessIndex) -> Result<Created, VectorStoreError> {
        let request = CreateIndexRequest {
            name: &index.name,
            dimension: DIMENSION,
            metric: METRIC,
            spec: IndexSpec {
                serverless: ServerlessSpec {
                    cloud: &index.cloud,
                    region: &index.region,
                },
            },
        };
        let body = serde_json::to_vec(&request)
            .map_err(|e| VectorStoreError::InvalidInput(format!("encoding the request: {e}")))?;
        let response = self
            .http
            .post(format!("{}/indexes", self.base))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        match read(response).await? {
            (409, _) => Ok(Created::Exists),
            (200..=299, body) => parse(&body, "POST /indexes").map(Created::New),
            (status, body) => Err(error_for_status(status, &body.headers, &body.bytes)),
        }
    }

    /// `GET /indexes/{name}`; `None` when there is no such index (404).
    async fn describe_once(&self, name: &str) -> Result<Option<IndexModel>, VectorStoreError> {
        // `name` is validated: nothing in it needs escaping in a path.
        let response = self
            .http
            .get(format!("{}/indexes/{name}", self.base))
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        match read(response).await? {
            (404, _) => Ok(None),
            (200..=299, body) => parse(&body, "GET /indexes/{index_name}").map(Some),
            (status, body) => Err(error_for_status(status, &body.headers, &body.bytes)),
        }
    }

    /// Calls `attempt` until it succeeds, fails for good, or the next try
    /// would start after `deadline`; waits the backoff's delay or the
    /// server's `Retry-After`, whichever is longer.
    async fn retrying<T, F, Fut>(
        &self,
        deadline: Instant,
        what: &str,
        mut attempt: F,
    ) -> Result<T, VectorStoreError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, VectorStoreError>>,
    {
        let mut delays = sync_core::retry::backoff(self.wait.min_delay, self.wait.max_delay);
        loop {
            let error = match attempt().await {
                Err(error) if error.is_retryable() => error,
                done => return done,
            };
            let delay = delays
                .next()
                .unwrap_or(self.wait.max_delay)
                .max(error.retry_after().unwrap_or_default());
            if Instant::now() + delay > deadline {
                return Err(error);
            }
            tracing::warn!(%error, ?delay, "{what} failed; retrying");
            tokio::time::sleep(delay).await;
        }
    }

    /// The control plane's scheme: the data plane of the same deployment is
    /// served the same way (https on Pinecone, http on Pinecone Local).
    fn scheme(&self) -> &str {
        self.base
            .0
            .split_once("://")
            .map_or("https", |(scheme, _)| scheme)
    }
}

/// The data-plane URL of an index from its host as the control plane
/// reports it: without a scheme (`describe_index` gives `name-abc.svc…`,
/// Pinecone Local `host:port`), which then gets `default_scheme`, or with
/// one, kept as it is. `PINECONE_INDEX_HOST` is read the same way with
/// `https` as the default.
pub fn index_url(host: &str, default_scheme: &str) -> Result<HttpUrl, String> {
    let host = host.trim();
    if host.contains("://") {
        host.parse()
    } else {
        format!("{default_scheme}://{host}").parse()
    }
}

/// Pinecone's rule for resource names, checked before any request so that a
/// typo is named as the setting it came from.
fn validate_name(name: &str) -> Result<(), VectorStoreError> {
    let alphanumeric = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    let valid = (1..=45).contains(&name.len())
        && name.chars().all(|c| alphanumeric(c) || c == '-')
        && name.starts_with(alphanumeric)
        && name.ends_with(alphanumeric);
    if valid {
        return Ok(());
    }
    Err(VectorStoreError::Config(format!(
        "PINECONE_INDEX_NAME {name:?} is not a valid index name: 1-45 lowercase letters, \
         digits or '-', starting and ending with a letter or digit"
    )))
}

/// An index of the right name but another shape would reject every write
/// (or rank by another measure): say what differs rather than use it.
fn check_shape(name: &str, model: &IndexModel) -> Result<(), VectorStoreError> {
    let mut problems = Vec::new();
    if model.dimension != Some(DIMENSION as u64) {
        let found = model
            .dimension
            .map_or_else(|| "no dimension".to_owned(), |d| format!("dimension {d}"));
        problems.push(format!("{found} (needs {DIMENSION})"));
    }
    if !model.metric.eq_ignore_ascii_case(METRIC) {
        problems.push(format!("metric {} (needs {METRIC})", model.metric));
    }
    if let Some(kind) = model.vector_type.as_deref()
        && kind != "dense"
    {
        problems.push(format!("vector type {kind} (needs dense)"));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(VectorStoreError::Config(format!(
        "Pinecone index {name} exists with {}; delete it or set PINECONE_INDEX_NAME to another name",
        problems.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use clap::Parser;
    use serde_json::json;

    use super::*;
    use crate::VectorStoreSettings;

    fn model(value: serde_json::Value) -> IndexModel {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn hosts_get_the_control_planes_scheme_unless_they_have_one() {
        let cases = [
            ("pinecone:5081", "http", "http://pinecone:5081"),
            (
                "catalog-products-abc.svc.aped-4627-b74a.pinecone.io",
                "https",
                "https://catalog-products-abc.svc.aped-4627-b74a.pinecone.io",
            ),
            ("http://localhost:5081/", "https", "http://localhost:5081"),
        ];
        for (host, scheme, want) in cases {
            assert_eq!(index_url(host, scheme).unwrap().0, want, "{host}");
        }
        assert!(index_url("", "http").is_err());
        assert!(index_url("ftp://x", "http").is_err());
    }

    /// `--expect-host` must read a value exactly as the data plane's
    /// `PINECONE_INDEX_HOST` does, or the two could disagree on one host.
    #[test]
    fn expected_hosts_are_read_like_pinecone_index_host() {
        #[derive(Parser, Debug)]
        struct Cli {
            #[command(flatten)]
            store: VectorStoreSettings,
        }
        for host in [
            "http://pinecone:5081",
            "http://pinecone:5081/",
            "products-abc.svc.aped-4627-b74a.pinecone.io",
            "https://products-abc.svc.aped-4627-b74a.pinecone.io",
        ] {
            let cli = Cli::try_parse_from(["test", "--pinecone-index-host", host]).unwrap();
            assert_eq!(
                cli.store.pinecone_index_host,
                Some(index_url(host, "https").unwrap()),
                "{host}"
            );
        }
    }

    #[test]
    fn index_names_follow_pinecones_rule() {
        for good in ["catalog-products", "a", "x1-2", &"a".repeat(45)] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Catalog", "-a", "a-", "a_b", "a.b", &"a".repeat(46)] {
            let err = validate_name(bad).unwrap_err();
            assert!(err.to_string().contains("PINECONE_INDEX_NAME"), "{err}");
        }
    }

    #[test]
    fn an_index_of_another_shape_is_named_and_refused() {
        let good = model(json!({
            "dimension": 384, "metric": "cosine", "host": "h", "vector_type": "dense",
            "status": {"ready": true, "state": "Ready"}
        }));
        assert!(check_shape("p", &good).is_ok());
        let bad = model(json!({
            "dimension": 1536, "metric": "dotproduct", "host": "h",
            "status": {"ready": true, "state": "Ready"}
        }));
        let err = check_shape("p", &bad).unwrap_err().to_string();
        assert!(err.contains("dimension 1536 (needs 384)"), "{err}");
        assert!(err.contains("metric dotproduct (needs cosine)"), "{err}");
        let sparse = model(json!({
            "metric": "cosine", "host": "h", "vector_type": "sparse",
            "status": {"ready": true, "state": "Ready"}
        }));
        let err = check_shape("p", &sparse).unwrap_err().to_string();
        assert!(
            err.contains("no dimension") && err.contains("vector type sparse"),
            "{err}"
        );
    }

    #[test]
    fn a_ready_index_checks_the_expected_host() {
        let ready = ReadyIndex {
            name: "catalog-products".into(),
            host: "http://pinecone:5081".parse().unwrap(),
            created: true,
        };
        assert!(
            ready
                .expect_host(&"http://PINECONE:5081".parse().unwrap())
                .is_ok()
        );
        let err = ready
            .expect_host(&"http://pinecone:5082".parse().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("http://pinecone:5082") && err.contains("http://pinecone:5081"),
            "{err}"
        );
    }

    #[test]
    fn debug_never_shows_the_api_key() {
        let control = PineconeControl::new(ControlPlaneSettings {
            control_url: "http://127.0.0.1:1".parse().unwrap(),
            api_key: Secret::new("pcsk_hunter2"),
            timeout: Duration::from_secs(1),
        })
        .unwrap();
        assert!(!format!("{control:?}").contains("hunter2"));
    }
}
