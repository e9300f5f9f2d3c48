//! [`SyncMonitor`]: one background task samples the pipeline every interval;
//! handlers read the latest sample and the history without touching any
//! source themselves (a page view never waits on SQS).

use std::collections::HashSet;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use sqlx::PgPool;
use sync_core::telemetry::Shutdown;
use tokio::time::MissedTickBehavior;
use vector_store::VectorStore;

use super::history::{History, HistoryPoint};
use super::settings::SyncStatusSettings;
use super::snapshot::{Reading, SyncSnapshot, SyncState};
use super::sources::{Source, Sources};

/// Handle to the sampler's results; cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct SyncMonitor {
    inner: Arc<Inner>,
}

struct Inner {
    latest: RwLock<Option<SyncSnapshot>>,
    history: RwLock<History>,
    window: Duration,
    interval: Duration,
}

impl SyncMonitor {
    /// The monitor and its sampler, to run as a task of the service: it
    /// takes its first sample at once and ends when `shutdown` triggers.
    pub fn new(
        pool: PgPool,
        sqs: aws_sdk_sqs::Client,
        store: Arc<dyn VectorStore>,
        settings: SyncStatusSettings,
        shutdown: Shutdown,
    ) -> (SyncMonitor, impl Future<Output = ()> + Send + 'static) {
        let interval = settings.sample_interval();
        let monitor = SyncMonitor {
            inner: Arc::new(Inner {
                latest: RwLock::new(None),
                history: RwLock::new(History::with_capacity(settings.history_capacity())),
                window: settings.history_window(),
                interval,
            }),
        };
        let sources = Sources {
            pool,
            sqs,
            store,
            queue_url: settings.queue_url,
            dlq_url: settings.dlq_url,
            // A sample never takes much longer than the interval, and a
            // quick interval still gives a remote source a fair chance.
            timeout: interval.clamp(Duration::from_secs(1), Duration::from_secs(10)),
        };
        let sampler = sample_until_shutdown(sources, monitor.clone(), interval, shutdown);
        (monitor, sampler)
    }

    /// The most recent sample; `None` until the first one is in.
    pub fn latest(&self) -> Option<SyncSnapshot> {
        self.inner
            .latest
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Lag and backlog of the samples in the history window, oldest first.
    pub fn history(&self) -> Vec<HistoryPoint> {
        self.inner
            .history
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .points()
    }

    /// How far back [`SyncMonitor::history`] reaches.
    pub fn history_window(&self) -> Duration {
        self.inner.window
    }

    /// How often a sample is taken.
    pub fn sample_interval(&self) -> Duration {
        self.inner.interval
    }

    fn record(&self, snapshot: SyncSnapshot) {
        self.inner
            .history
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(HistoryPoint::of(&snapshot));
        *self
            .inner
            .latest
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some(snapshot);
    }
}

async fn sample_until_shutdown(
    sources: Sources,
    monitor: SyncMonitor,
    interval: Duration,
    shutdown: Shutdown,
) {
    let mut ticker = tokio::time::interval(interval);
    // After a slow sample, wait a full interval rather than catch up.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    // Sources that failed in the previous sample: an outage is logged when
    // it starts and when it ends, not every interval.
    let mut down: HashSet<Source> = HashSet::new();
    loop {
        let sampled = tokio::select! {
            () = shutdown.triggered() => break,
            sampled = async {
                ticker.tick().await;
                sources.sample().await
            } => sampled,
        };
        for source in Source::ALL {
            let failure = sampled.failures.get(&source);
            metrics::gauge!("sync_source_up", "source" => source.name())
                .set(if failure.is_some() { 0.0 } else { 1.0 });
            match failure {
                Some(reason) if down.insert(source) => {
                    tracing::warn!(source = source.name(), %reason, "sync status: source unavailable");
                }
                None if down.remove(&source) => {
                    tracing::info!(
                        source = source.name(),
                        "sync status: source available again"
                    );
                }
                _ => {}
            }
        }
        publish_metrics(&sampled.snapshot);
        monitor.record(sampled.snapshot);
    }
    tracing::debug!("sync status sampler stopped");
}

/// Gauges of the latest sample; an unavailable value is NaN (unknown), not
/// the last value seen, so dashboards show a gap instead of a stale number.
fn publish_metrics(snapshot: &SyncSnapshot) {
    fn set(name: &'static str, reading: Option<f64>) {
        metrics::gauge!(name).set(reading.unwrap_or(f64::NAN));
    }
    let count = |r: Reading<u64>| r.value().map(|v| v as f64);
    set("sync_outbox_backlog", count(snapshot.outbox_backlog));
    set("sync_parked_events", count(snapshot.parked_events));
    set(
        "sync_queue_depth",
        snapshot.queue.value().map(|q| q.visible as f64),
    );
    set(
        "sync_queue_in_flight",
        snapshot.queue.value().map(|q| q.in_flight as f64),
    );
    set("sync_dlq_depth", count(snapshot.dlq_depth));
    set("sync_products", count(snapshot.products));
    set("sync_vectors", count(snapshot.vectors));
    set(
        "sync_lag_seconds",
        snapshot.lag.value().map(|l| l.seconds()),
    );
    set(
        "sync_unindexed_products",
        snapshot.lag.value().map(|l| l.unindexed_products as f64),
    );
    let state = match snapshot.state() {
        SyncState::InSync => 0.0,
        SyncState::Syncing => 1.0,
        SyncState::Degraded => 2.0,
    };
    metrics::gauge!("sync_state").set(state);
}
