//! The relay loop: connect, win leadership, drain the outbox into SQS, wait
//! for a wake-up, repeat. Reconnects with backoff when Postgres goes away.

use std::time::{Duration, Instant};

use sync_core::telemetry::{Readiness, Shutdown};

use crate::leader::{Session, SessionError};
use crate::metrics;
use crate::outbox::Outbox;
use crate::sender::Sender;
use crate::settings::Settings;

/// Refresh the backlog gauges at most this often while draining.
const STATS_EVERY: Duration = Duration::from_secs(1);

pub struct Relay {
    pub settings: Settings,
    pub sender: Sender,
    pub readiness: Readiness,
    pub shutdown: Shutdown,
}

impl Relay {
    pub async fn run(self) {
        let mut delays = reconnect_delays();
        while !self.shutdown.is_triggered() {
            let session = tokio::select! {
                s = Session::connect(&self.settings.database.database_url) => s,
                () = self.shutdown.triggered() => break,
            };
            let result = match session {
                Ok(session) => {
                    self.readiness.set_ok("postgres");
                    delays = reconnect_delays();
                    self.serve(session).await
                }
                Err(e) => Err(e),
            };
            metrics::leader(false);
            match result {
                Ok(()) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "postgres session lost; reconnecting");
                    self.readiness.set("postgres", Err(e.to_string()));
                    let delay = delays.next().unwrap_or(Duration::from_secs(10));
                    tokio::select! {
                        () = tokio::time::sleep(delay) => {}
                        () = self.shutdown.triggered() => break,
                    }
                }
            }
        }
        tracing::info!("relay stopped");
    }

    /// One session: standby until leader, then relay until shutdown or error.
    async fn serve(&self, mut session: Session) -> Result<(), SessionError> {
        let outbox = Outbox::prepare(&session.client).await?;
        loop {
            if self.shutdown.is_triggered() {
                return Ok(());
            }
            if session.try_lead(self.settings.leader_lock_id).await? {
                break;
            }
            metrics::leader(false);
            self.update_stats(&session, &outbox).await?;
            tokio::select! {
                () = tokio::time::sleep(self.settings.standby_retry()) => {}
                () = self.shutdown.triggered() => return Ok(()),
            }
        }
        tracing::info!("this replica is now the active relay");
        metrics::leader(true);
        loop {
            self.drain(&session, &outbox).await?;
            if self.shutdown.is_triggered() {
                // Closing the session releases the lock for a standby.
                return Ok(());
            }
            tokio::select! {
                r = session.wait_for_wakeup(self.settings.poll_interval()) => r?,
                () = self.shutdown.triggered() => return Ok(()),
            }
        }
    }

    /// Claim, send, delete until the outbox is empty. On shutdown, finishes
    /// the round in flight (what SQS accepted is deleted) and returns.
    async fn drain(&self, session: &Session, outbox: &Outbox) -> Result<(), SessionError> {
        let mut last_stats = Instant::now();
        loop {
            let events = outbox
                .claim(&session.client, self.settings.claim_batch)
                .await?;
            if events.is_empty() {
                self.update_stats(session, outbox).await?;
                return Ok(());
            }
            let claimed = events.len();
            let report = self.sender.send_all(events, &self.shutdown).await;
            outbox.delete(&session.client, &report.sent).await?;
            for (seq, reason) in &report.rejected {
                outbox.park(&session.client, *seq, reason).await?;
            }
            metrics::events_parked(report.rejected.len());
            tracing::debug!(claimed, sent = report.sent.len(), "relayed a round");
            if last_stats.elapsed() >= STATS_EVERY {
                self.update_stats(session, outbox).await?;
                last_stats = Instant::now();
            }
            if report.interrupted || self.shutdown.is_triggered() {
                return Ok(());
            }
        }
    }

    async fn update_stats(&self, session: &Session, outbox: &Outbox) -> Result<(), SessionError> {
        let stats = outbox.stats(&session.client).await?;
        metrics::outbox(stats.backlog, stats.oldest_age_s);
        Ok(())
    }
}

/// Reconnect backoff: 200 ms doubling to 10 s with jitter, forever.
fn reconnect_delays() -> impl Iterator<Item = Duration> {
    sync_core::retry::backoff(Duration::from_millis(200), Duration::from_secs(10))
}
