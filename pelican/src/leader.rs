//! The relay's Postgres session: one connection that holds the leadership
//! lock, LISTENs for outbox wake-ups, and does all outbox reads and deletes.
//!
//! Leadership is a session-level advisory lock. Postgres releases it the
//! moment the session ends (process killed, connection lost), so a standby
//! polling `pg_try_advisory_lock` takes over within one retry interval. TCP
//! keepalives are set on the server side of the session so a leader whose
//! host vanishes without closing the socket is detected in ~25 s, not hours.

use std::future::poll_fn;
use std::str::FromStr;
use std::time::Duration;

use sync_core::db::OUTBOX_CHANNEL;
use sync_core::settings::DatabaseUrl;
use tokio::sync::mpsc;
use tokio_postgres::{AsyncMessage, Client, Config};

use crate::tls::{self, TlsError};

pub struct Session {
    pub client: Client,
    wakeups: mpsc::UnboundedReceiver<()>,
}

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("postgres: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("the postgres connection closed")]
    Closed,
}

impl Session {
    pub async fn connect(url: &DatabaseUrl) -> Result<Self, SessionError> {
        let tls = tls::from_url(url.expose())?;
        let mut config = Config::from_str(&tls.url)?;
        config
            .ssl_mode(tls.mode)
            .application_name("pelican")
            .connect_timeout(Duration::from_secs(5))
            .keepalives_idle(Duration::from_secs(10))
            .options(
                "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3",
            );
        let (client, mut connection) = config.connect(tls.connector).await?;
        let (sender, wakeups) = mpsc::unbounded_channel();
        // The connection future must be polled for the client to work; it
        // also yields the NOTIFY messages. When it ends, `sender` drops and
        // the relay sees the session as closed.
        tokio::spawn(async move {
            while let Some(message) = poll_fn(|cx| connection.poll_message(cx)).await {
                match message {
                    Ok(AsyncMessage::Notification(_)) => {
                        if sender.send(()).is_err() {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        tracing::warn!(error = %e, "postgres connection error");
                        break;
                    }
                }
            }
        });
        client
            .batch_execute(&format!("LISTEN {OUTBOX_CHANNEL}"))
            .await?;
        Ok(Self { client, wakeups })
    }

    /// Try to become the active relay. Non-blocking; true if this session
    /// holds (or already held) the lock.
    pub async fn try_lead(&self, lock_id: i64) -> Result<bool, SessionError> {
        let row = self
            .client
            .query_one("SELECT pg_try_advisory_lock($1)", &[&lock_id])
            .await?;
        Ok(row.try_get(0)?)
    }

    /// Wait for an outbox wake-up or the timeout. Coalesces a burst of
    /// notifications into one wake-up. Errors when the connection closed.
    pub async fn wait_for_wakeup(&mut self, timeout: Duration) -> Result<(), SessionError> {
        // Err = the timeout passed: the fallback poll, not an error.
        if let Ok(None) = tokio::time::timeout(timeout, self.wakeups.recv()).await {
            return Err(SessionError::Closed);
        }
        while self.wakeups.try_recv().is_ok() {}
        if self.client.is_closed() {
            return Err(SessionError::Closed);
        }
        Ok(())
    }
}
