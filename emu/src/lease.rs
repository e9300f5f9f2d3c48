//! Leases on the messages emu holds.
//!
//! A received message is emu's only for its visibility timeout. When that
//! runs out, SQS hands the message to the next receiver, and in a FIFO
//! queue it then releases the product's *next* change too once the second
//! receiver is done. If the first holder went on to write the old version
//! afterwards, the vector store would end up behind the table for good:
//! Pinecone's upserts are unconditional, so nothing would refuse the older
//! write. (This is the stale write the chaos suite found: messages that had
//! waited in emu's channel past their timeout during a store outage were
//! written after another instance had already moved the product on.)
//!
//! So every message emu holds is tracked here from the moment it arrives:
//! [`keep_alive`] extends all of them every quarter timeout, in the
//! channel as in a batch, and the processor stops working on a batch (and
//! leaves its messages alone) as soon as one of its leases is lost or is
//! within [`Leases::margin`] of running out. The margin is the time a
//! write cancelled at that moment has to land before any other instance
//! can even receive the message.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::job_queue::{Delivery, JobQueue};
use crate::metrics;

/// Until when a message is ours, as far as emu can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lease {
    /// SQS keeps the message invisible to others until then.
    Until(Instant),
    /// SQS refused to extend it: the receipt handle is stale (another
    /// receiver has the message) or the message is visible again.
    Lost,
}

#[derive(Debug, Clone)]
pub struct Leases {
    /// By receipt handle: one per receive of a message.
    held: Arc<Mutex<HashMap<String, Lease>>>,
    /// Woken after every extension round, so waiters see a lost lease at
    /// once rather than at the old deadline.
    changed: Arc<Notify>,
    timeout: Duration,
}

impl Leases {
    pub fn new(visibility_timeout: Duration) -> Self {
        Self {
            held: Arc::default(),
            changed: Arc::default(),
            timeout: visibility_timeout,
        }
    }

    /// How long before a lease runs out work on it stops, and how often
    /// the leases are extended.
    pub fn margin(&self) -> Duration {
        self.timeout / 4
    }

    fn held(&self) -> MutexGuard<'_, HashMap<String, Lease>> {
        // A panic while holding this lock cannot leave the map half
        // updated (every update is one insert or remove), so a poisoned
        // lock is still good to use.
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Track messages that SQS handed out at about `received_at` (the
    /// moment the receive answered: SQS started their timeout shortly
    /// before, which the margin covers).
    pub fn hold(&self, deliveries: &[Delivery], received_at: Instant) {
        let until = Lease::Until(received_at + self.timeout);
        let mut held = self.held();
        for delivery in deliveries {
            held.insert(delivery.receipt_handle.clone(), until);
        }
    }

    /// Stop tracking: the messages are acknowledged, dead-lettered, handed
    /// back or abandoned.
    pub fn release<'a>(&self, deliveries: impl IntoIterator<Item = &'a Delivery>) {
        let mut held = self.held();
        for delivery in deliveries {
            held.remove(&delivery.receipt_handle);
        }
    }

    /// When work on these messages must stop: the earliest lease's end
    /// minus the margin. `None` when one of them is lost or not tracked.
    pub fn deadline(&self, deliveries: &[&Delivery]) -> Option<Instant> {
        let held = self.held();
        let mut earliest: Option<Instant> = None;
        for delivery in deliveries {
            match held.get(&delivery.receipt_handle) {
                Some(Lease::Until(until)) => {
                    earliest = Some(earliest.map_or(*until, |e| e.min(*until)));
                }
                Some(Lease::Lost) | None => return None,
            }
        }
        earliest.and_then(|until| until.checked_sub(self.margin()))
    }

    /// Resolves once work on these messages must stop (at once if it
    /// already must).
    pub async fn lost(&self, deliveries: &[&Delivery]) {
        loop {
            // Register for the next change before reading the state, so a
            // change in between is not missed.
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            match self.deadline(deliveries) {
                Some(deadline) if deadline > Instant::now() => {
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline) => {}
                        () = changed => {}
                    }
                }
                _ => return,
            }
        }
    }

    fn handles(&self) -> Vec<String> {
        self.held().keys().cloned().collect()
    }

    /// Record the outcome of one extension request sent at `sent_at`.
    /// Entries released meanwhile stay released.
    fn extended(&self, handles: &[String], failed: &[String], sent_at: Instant) {
        let until = Lease::Until(sent_at + self.timeout);
        let mut held = self.held();
        for handle in handles {
            if let Some(lease) = held.get_mut(handle) {
                *lease = if failed.contains(handle) {
                    Lease::Lost
                } else {
                    until
                };
            }
        }
    }

    fn len(&self) -> usize {
        self.held().len()
    }
}

/// Extend every held message's visibility every [`Leases::margin`], until
/// aborted. A failed request leaves the leases as they were (they may still
/// be good until they run out); an entry SQS refuses is lost for good.
pub async fn keep_alive(leases: Leases, queue: JobQueue) {
    let every = leases.margin();
    let seconds = i32::try_from(leases.timeout.as_secs()).unwrap_or(i32::MAX);
    loop {
        tokio::time::sleep(every).await;
        let handles = leases.handles();
        for chunk in handles.chunks(10) {
            let sent_at = Instant::now();
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            match tokio::time::timeout(every, queue.set_visibility(&refs, seconds)).await {
                Ok(Ok(failed)) => {
                    if !failed.is_empty() {
                        metrics::error("lease_refused");
                        tracing::warn!(
                            refused = failed.len(),
                            "SQS refused to extend messages in hand; another receiver may have them"
                        );
                    }
                    leases.extended(chunk, &failed, sent_at);
                }
                Ok(Err(e)) => {
                    metrics::error("sqs");
                    tracing::warn!(error = %e, "could not extend the visibility of messages in hand");
                }
                Err(_) => {
                    metrics::error("sqs");
                    tracing::warn!("extending the visibility of messages in hand timed out");
                }
            }
        }
        metrics::messages_in_hand(leases.len());
        leases.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn delivery(handle: &str) -> Delivery {
        Delivery {
            message_id: format!("id-{handle}"),
            receipt_handle: handle.into(),
            body: String::new(),
            group_id: None,
            receive_count: 1,
        }
    }

    #[test]
    fn the_deadline_is_the_earliest_lease_minus_the_margin() {
        let leases = Leases::new(Duration::from_secs(40));
        let now = Instant::now();
        let (a, b) = (delivery("a"), delivery("b"));
        leases.hold(std::slice::from_ref(&a), now);
        leases.hold(std::slice::from_ref(&b), now + Duration::from_secs(5));
        assert_eq!(leases.margin(), Duration::from_secs(10));
        assert_eq!(
            leases.deadline(&[&a, &b]),
            Some(now + Duration::from_secs(30))
        );
        // An extension sent later moves it.
        leases.extended(&["a".into()], &[], now + Duration::from_secs(20));
        assert_eq!(
            leases.deadline(&[&a, &b]),
            Some(now + Duration::from_secs(35))
        );
    }

    #[test]
    fn a_refused_or_untracked_message_has_no_deadline() {
        let leases = Leases::new(Duration::from_secs(40));
        let (a, b) = (delivery("a"), delivery("b"));
        leases.hold(&[a.clone(), b.clone()], Instant::now());
        leases.extended(&["a".into(), "b".into()], &["b".into()], Instant::now());
        assert!(leases.deadline(&[&a]).is_some());
        assert_eq!(leases.deadline(&[&a, &b]), None);
        leases.release([&a]);
        assert_eq!(leases.deadline(&[&a]), None);
        // An extension answered after the release does not resurrect it.
        leases.extended(&["a".into()], &[], Instant::now());
        assert_eq!(leases.len(), 1);
    }

    #[tokio::test]
    async fn lost_resolves_at_once_for_a_lease_already_run_out() {
        let leases = Leases::new(Duration::from_secs(40));
        let a = delivery("a");
        let long_ago = Instant::now().checked_sub(Duration::from_secs(31)).unwrap();
        leases.hold(std::slice::from_ref(&a), long_ago);
        tokio::time::timeout(Duration::from_secs(1), leases.lost(&[&a]))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn lost_wakes_when_a_lease_is_refused() {
        let leases = Leases::new(Duration::from_secs(400));
        let a = delivery("a");
        leases.hold(std::slice::from_ref(&a), Instant::now());
        let waiter = {
            let leases = leases.clone();
            let a = a.clone();
            tokio::spawn(async move { leases.lost(&[&a]).await })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "the lease is good for minutes");
        leases.extended(&["a".into()], &["a".into()], Instant::now());
        leases.changed.notify_waiters();
        tokio::time::timeout(Duration::from_secs(1), waiter)
            .await
            .unwrap()
            .unwrap();
    }
}
