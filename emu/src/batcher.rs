//! Receivers feed a bounded channel; the batcher cuts it into batches.
//!
//! Backpressure: the channel holds at most two batches' worth of messages and
//! at most two batches are processed at once, so when embedding falls behind
//! the receivers block instead of pulling more messages whose visibility
//! timeout would tick away in memory.

use std::sync::Arc;
use std::time::Duration;

use sync_core::telemetry::{Readiness, Shutdown};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinSet;
use tokio::time::Instant;
use vector_store::VectorStore;

use crate::job_queue::{Delivery, JobQueue};
use crate::metrics;
use crate::processor::Processor;

/// Batches processed concurrently: one embedding while another writes.
const BATCHES_IN_FLIGHT: usize = 2;
/// How often an idle emu re-checks SQS and the store for `/readyz`: well
/// inside one interval of a load balancer's or ECS's health check (30 s by
/// default), for about 0.5 M GetQueueAttributes a month per instance.
const PROBE_EVERY: Duration = Duration::from_secs(5);

/// Long-poll the queue until shutdown, handing every delivery to the batcher.
pub async fn receive_loop(
    queue: JobQueue,
    wait_time_s: i32,
    sender: mpsc::Sender<Delivery>,
    readiness: Readiness,
    shutdown: Shutdown,
) {
    let mut delays = backoff();
    loop {
        let receive = queue.receive(wait_time_s);
        tokio::pin!(receive);
        let received = tokio::select! {
            r = &mut receive => r,
            () = shutdown.triggered() => {
                hand_back_last_receive(&queue, receive, wait_time_s).await;
                return;
            }
        };
        match received {
            Ok(deliveries) => {
                readiness.set_ok("sqs");
                delays = backoff();
                for delivery in deliveries {
                    if sender.send(delivery).await.is_err() {
                        return;
                    }
                }
            }
            Err(e) => {
                metrics::error("sqs");
                tracing::warn!(error = %e, "receive failed; backing off");
                readiness.set("sqs", Err(e.to_string()));
                let delay = delays.next().unwrap_or(Duration::from_secs(10));
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = shutdown.triggered() => return,
                }
            }
        }
    }
}

/// Stop taking work without stranding messages. Dropping a long poll does
/// not cancel it on the server: SQS (and the emulator) may still complete
/// it and mark messages in flight that nobody holds, hidden for the whole
/// visibility timeout. So the poll is let finish (it ends within its wait
/// time) and whatever it claimed is made visible again at once, for
/// another instance.
async fn hand_back_last_receive(
    queue: &JobQueue,
    receive: impl std::future::Future<Output = Result<Vec<Delivery>, crate::job_queue::QueueError>>,
    wait_time_s: i32,
) {
    let bound = Duration::from_secs(u64::from(wait_time_s.unsigned_abs()) + 5);
    let Ok(Ok(deliveries)) = tokio::time::timeout(bound, receive).await else {
        return;
    };
    if deliveries.is_empty() {
        return;
    }
    let refs: Vec<&Delivery> = deliveries.iter().collect();
    match queue.set_visibility(&refs, 0).await {
        Ok(()) => tracing::info!(
            messages = deliveries.len(),
            "shutting down; released the last receive's messages"
        ),
        Err(e) => tracing::warn!(
            error = %e,
            "could not release the last receive's messages; they reappear after the visibility timeout"
        ),
    }
}

/// Cut the stream of deliveries into batches of `size` or whatever arrived
/// within `timeout` of a batch's first message. Ends when every receiver has
/// stopped and the batches in hand are done.
pub async fn batch_loop(
    mut deliveries: mpsc::Receiver<Delivery>,
    size: usize,
    timeout: Duration,
    processor: Processor,
) {
    let in_flight = Arc::new(Semaphore::new(BATCHES_IN_FLIGHT));
    let mut running = JoinSet::new();
    while let Some(first) = deliveries.recv().await {
        let mut batch = Vec::with_capacity(size);
        batch.push(first);
        let deadline = Instant::now() + timeout;
        while batch.len() < size {
            match tokio::time::timeout_at(deadline, deliveries.recv()).await {
                Ok(Some(delivery)) => batch.push(delivery),
                Ok(None) | Err(_) => break,
            }
        }
        let Ok(permit) = in_flight.clone().acquire_owned().await else {
            break;
        };
        let processor = processor.clone();
        running.spawn(async move {
            processor.process(batch).await;
            drop(permit);
        });
        while let Some(done) = running.try_join_next() {
            propagate_panic(done);
        }
    }
    while let Some(done) = running.join_next().await {
        propagate_panic(done);
    }
    tracing::info!("batcher stopped");
}

/// A batch task that panicked outside the part the processor guards (a bug
/// in emu's own plumbing) takes the batch loop down with it, and so the
/// service: the supervisor stops emu, which exits non-zero to be replaced.
fn propagate_panic(done: Result<(), tokio::task::JoinError>) {
    if let Err(e) = done
        && e.is_panic()
    {
        std::panic::resume_unwind(e.into_panic());
    }
}

/// Keep `/readyz` honest while idle: nothing else touches SQS's attributes
/// or the store when no messages arrive.
pub async fn probe_loop(
    queue: JobQueue,
    store: Arc<dyn VectorStore>,
    readiness: Readiness,
    shutdown: Shutdown,
) {
    loop {
        match queue.probe().await {
            Ok(()) => readiness.set_ok("sqs"),
            Err(e) => readiness.set("sqs", Err(e.to_string())),
        }
        match store.ping().await {
            Ok(()) => readiness.set_ok("vector_store"),
            Err(e) => readiness.set("vector_store", Err(e.to_string())),
        }
        tokio::select! {
            () = tokio::time::sleep(PROBE_EVERY) => {}
            () = shutdown.triggered() => return,
        }
    }
}

fn backoff() -> impl Iterator<Item = Duration> {
    sync_core::retry::backoff(Duration::from_millis(200), Duration::from_secs(10))
}
