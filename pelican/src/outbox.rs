//! The outbox table, as seen by the relay: claim the oldest events, delete
//! the ones SQS accepted, park the ones it refused for good.
//!
//! Only the leader (see [`crate::leader`]) calls these, on the very
//! connection that holds the leadership lock: if that connection dies, the
//! lock is released *and* this relay can no longer delete anything, so two
//! relays never act on the outbox at once.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sync_core::change_event::{ChangeEvent, Operation, ProductDocument, SCHEMA_VERSION};
use tokio_postgres::{Client, Row, Statement};
use uuid::Uuid;

/// An outbox row turned into the message it becomes.
#[derive(Debug, Clone)]
pub struct OutboxEvent {
    pub seq: i64,
    pub event: ChangeEvent,
}

/// Statements prepared once per connection (each round trip counts when
/// draining a 100 000-event backlog).
pub struct Outbox {
    claim: Statement,
    delete: Statement,
    park: Statement,
    stats: Statement,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct OutboxStats {
    pub backlog: i64,
    pub oldest_age_s: f64,
}

impl Outbox {
    pub async fn prepare(client: &Client) -> Result<Self, tokio_postgres::Error> {
        Ok(Self {
            // Oldest first. Within one product seq order is commit order
            // (writers serialise on the row lock), which is all FIFO needs.
            claim: client
                .prepare(
                    "SELECT seq, event_id, op, product_id, version, sku, name, description,
                            category, price, truncated, created_at
                       FROM outbox ORDER BY seq LIMIT $1",
                )
                .await?,
            delete: client
                .prepare("DELETE FROM outbox WHERE seq = ANY($1)")
                .await?,
            park: client
                .prepare(
                    "WITH moved AS (DELETE FROM outbox WHERE seq = $1 RETURNING *)
                     INSERT INTO outbox_parked SELECT moved.*, $2::text FROM moved",
                )
                .await?,
            stats: client
                .prepare(
                    "SELECT count(*),
                            coalesce(extract(epoch FROM clock_timestamp() - min(created_at))::float8, 0)
                       FROM outbox",
                )
                .await?,
        })
    }

    pub async fn claim(
        &self,
        client: &Client,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>, tokio_postgres::Error> {
        let rows = client.query(&self.claim, &[&i64::from(limit)]).await?;
        rows.iter().map(to_event).collect()
    }

    pub async fn delete(
        &self,
        client: &Client,
        seqs: &[i64],
    ) -> Result<u64, tokio_postgres::Error> {
        if seqs.is_empty() {
            return Ok(0);
        }
        client.execute(&self.delete, &[&seqs]).await
    }

    pub async fn park(
        &self,
        client: &Client,
        seq: i64,
        error: &str,
    ) -> Result<(), tokio_postgres::Error> {
        client
            .execute(&self.park, &[&seq, &error])
            .await
            .map(|_| ())
    }

    pub async fn stats(&self, client: &Client) -> Result<OutboxStats, tokio_postgres::Error> {
        let row = client.query_one(&self.stats, &[]).await?;
        Ok(OutboxStats {
            backlog: row.try_get(0)?,
            oldest_age_s: row.try_get(1)?,
        })
    }
}

fn to_event(row: &Row) -> Result<OutboxEvent, tokio_postgres::Error> {
    let op: &str = row.try_get("op")?;
    // The table's CHECK constraint allows only these two values.
    let op = if op == "delete" {
        Operation::Delete
    } else {
        Operation::Upsert
    };
    let product = match op {
        Operation::Delete => None,
        Operation::Upsert => Some(ProductDocument {
            sku: row.try_get::<_, Option<String>>("sku")?.unwrap_or_default(),
            name: row
                .try_get::<_, Option<String>>("name")?
                .unwrap_or_default(),
            description: row
                .try_get::<_, Option<String>>("description")?
                .unwrap_or_default(),
            category: row.try_get("category")?,
            price: row.try_get::<_, Option<Decimal>>("price")?,
        }),
    };
    Ok(OutboxEvent {
        seq: row.try_get("seq")?,
        event: ChangeEvent {
            schema_version: SCHEMA_VERSION,
            event_id: row.try_get::<_, Uuid>("event_id")?,
            op,
            product_id: row.try_get("product_id")?,
            version: row.try_get("version")?,
            occurred_at: row.try_get::<_, DateTime<Utc>>("created_at")?,
            product,
            truncated: row.try_get("truncated")?,
        },
    })
}
