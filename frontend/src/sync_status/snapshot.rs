//! What one sample says about the sync pipeline, and the verdict drawn from
//! it ("in sync" / "syncing" / "degraded").

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// One sampled value, or "unavailable" when its source (Postgres, SQS, the
/// vector store) did not answer. Each source fails on its own: a down queue
/// blanks the queue cells, not the page. Why it failed is logged, never
/// shown (it may name hosts or accounts). In JSON a value is itself and
/// "unavailable" is `{"unavailable": true}`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading<T> {
    Value(T),
    Unavailable,
}

impl<T: Copy> Reading<T> {
    pub fn value(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Unavailable => None,
        }
    }

    pub fn is_available(self) -> bool {
        matches!(self, Self::Value(_))
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Reading<U> {
        match self {
            Self::Value(v) => Reading::Value(f(v)),
            Self::Unavailable => Reading::Unavailable,
        }
    }
}

/// The OpenAPI schema of a `Reading<T>` (`schema_with` of the fields below).
fn reading_schema<T: utoipa::PartialSchema>() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
    use utoipa::openapi::schema::{AdditionalProperties, ObjectBuilder, OneOfBuilder, Type};
    let unavailable = ObjectBuilder::new()
        .property(
            "unavailable",
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .enum_values(Some([true])),
        )
        .required("unavailable")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .description(Some("The source did not answer."));
    OneOfBuilder::new()
        .item(T::schema())
        .item(unavailable)
        .into()
}

impl<T, E> From<Result<T, E>> for Reading<T> {
    fn from(result: Result<T, E>) -> Self {
        result.map_or(Reading::Unavailable, Reading::Value)
    }
}

impl<T: Serialize> Serialize for Reading<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Self::Value(v) => v.serialize(serializer),
            Self::Unavailable => {
                let mut map = serializer.serialize_map(Some(1))?;
                map.serialize_entry("unavailable", &true)?;
                map.end()
            }
        }
    }
}

/// Messages in an SQS queue (`ApproximateNumberOfMessages`,
/// `ApproximateNumberOfMessagesNotVisible`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct QueueDepth {
    /// Waiting to be received.
    pub visible: u64,
    /// Received by emu and not yet deleted (being embedded and written).
    pub in_flight: u64,
}

impl QueueDepth {
    pub fn total(self) -> u64 {
        self.visible + self.in_flight
    }
}

/// The oldest change that has not reached the vector store yet.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Lag {
    /// Age of the oldest outbox row (committed, not yet sent to SQS);
    /// `None` when the outbox is empty.
    pub unsent_s: Option<f64>,
    /// Age of the oldest recent change that was sent but whose vector is
    /// still an older version (or missing); `None` when there is none.
    pub unindexed_s: Option<f64>,
    /// Products among the recently changed ones whose vector is behind.
    pub unindexed_products: u64,
}

impl Lag {
    /// The age of the oldest unprocessed change, 0 when nothing waits.
    pub fn seconds(self) -> f64 {
        self.unsent_s
            .unwrap_or(0.0)
            .max(self.unindexed_s.unwrap_or(0.0))
    }
}

/// One sample of every number the status page shows.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct SyncSnapshot {
    pub taken_at: DateTime<Utc>,
    /// Rows in `outbox`: committed changes pelican has not sent yet.
    #[schema(schema_with = reading_schema::<u64>)]
    pub outbox_backlog: Reading<u64>,
    /// Rows in `outbox_parked`: changes SQS refused for good.
    #[schema(schema_with = reading_schema::<u64>)]
    pub parked_events: Reading<u64>,
    #[schema(schema_with = reading_schema::<QueueDepth>)]
    pub queue: Reading<QueueDepth>,
    /// Messages in the dead-letter queue (visible and in flight).
    #[schema(schema_with = reading_schema::<u64>)]
    pub dlq_depth: Reading<u64>,
    /// Rows in `products`.
    #[schema(schema_with = reading_schema::<u64>)]
    pub products: Reading<u64>,
    /// Live vectors in the store.
    #[schema(schema_with = reading_schema::<u64>)]
    pub vectors: Reading<u64>,
    #[schema(schema_with = reading_schema::<Lag>)]
    pub lag: Reading<Lag>,
}

/// The one-word verdict shown in the badge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Nothing waits anywhere and the store holds a vector per row.
    InSync,
    /// Changes are on their way (outbox, queue, or not yet embedded).
    Syncing,
    /// Something needs an operator: a source does not answer, or changes
    /// were dead-lettered or parked.
    Degraded,
}

impl SyncState {
    pub fn label(self) -> &'static str {
        match self {
            Self::InSync => "in sync",
            Self::Syncing => "syncing",
            Self::Degraded => "degraded",
        }
    }

    /// A CSS-friendly name (`data-state`).
    pub fn slug(self) -> &'static str {
        match self {
            Self::InSync => "in-sync",
            Self::Syncing => "syncing",
            Self::Degraded => "degraded",
        }
    }
}

impl SyncSnapshot {
    /// Changes on their way to the index that we can count: unsent outbox
    /// rows plus messages in the job queue. `None` when neither source
    /// answered.
    pub fn pending_changes(&self) -> Option<u64> {
        match (self.outbox_backlog.value(), self.queue.value()) {
            (None, None) => None,
            (outbox, queue) => Some(outbox.unwrap_or(0) + queue.map_or(0, QueueDepth::total)),
        }
    }

    pub fn state(&self) -> SyncState {
        let all_available = self.outbox_backlog.is_available()
            && self.parked_events.is_available()
            && self.queue.is_available()
            && self.dlq_depth.is_available()
            && self.products.is_available()
            && self.vectors.is_available()
            && self.lag.is_available();
        let lost = self.dlq_depth.value().unwrap_or(0) + self.parked_events.value().unwrap_or(0);
        if !all_available || lost > 0 {
            return SyncState::Degraded;
        }
        let waiting = self.pending_changes().unwrap_or(0) > 0
            || self.lag.value().is_some_and(|l| l.unindexed_products > 0)
            || self.products.value() != self.vectors.value();
        if waiting {
            SyncState::Syncing
        } else {
            SyncState::InSync
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A healthy, idle pipeline with 10 products.
    pub(in super::super) fn in_sync() -> SyncSnapshot {
        SyncSnapshot {
            taken_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            outbox_backlog: Reading::Value(0),
            parked_events: Reading::Value(0),
            queue: Reading::Value(QueueDepth {
                visible: 0,
                in_flight: 0,
            }),
            dlq_depth: Reading::Value(0),
            products: Reading::Value(10),
            vectors: Reading::Value(10),
            lag: Reading::Value(Lag {
                unsent_s: None,
                unindexed_s: None,
                unindexed_products: 0,
            }),
        }
    }

    #[test]
    fn the_verdict_follows_the_numbers() {
        assert_eq!(in_sync().state(), SyncState::InSync);

        let mut s = in_sync();
        s.outbox_backlog = Reading::Value(3);
        assert_eq!(s.state(), SyncState::Syncing);
        assert_eq!(s.pending_changes(), Some(3));

        let mut s = in_sync();
        s.queue = Reading::Value(QueueDepth {
            visible: 2,
            in_flight: 5,
        });
        assert_eq!(s.state(), SyncState::Syncing);
        assert_eq!(s.pending_changes(), Some(7));

        let mut s = in_sync();
        s.vectors = Reading::Value(9);
        assert_eq!(s.state(), SyncState::Syncing, "a row without a vector");

        let mut s = in_sync();
        s.lag = Reading::Value(Lag {
            unsent_s: None,
            unindexed_s: Some(1.5),
            unindexed_products: 1,
        });
        assert_eq!(s.state(), SyncState::Syncing, "sent but not embedded yet");

        let mut s = in_sync();
        s.dlq_depth = Reading::Value(1);
        assert_eq!(s.state(), SyncState::Degraded);

        let mut s = in_sync();
        s.parked_events = Reading::Value(1);
        assert_eq!(s.state(), SyncState::Degraded);

        let mut s = in_sync();
        s.queue = Reading::Unavailable;
        assert_eq!(s.state(), SyncState::Degraded);
        assert_eq!(s.pending_changes(), Some(0), "the outbox still counts");
        s.outbox_backlog = Reading::Unavailable;
        assert_eq!(s.pending_changes(), None);
    }

    #[test]
    fn lag_is_the_older_of_unsent_and_unindexed() {
        let lag = Lag {
            unsent_s: Some(2.0),
            unindexed_s: Some(5.0),
            unindexed_products: 4,
        };
        assert_eq!(lag.seconds(), 5.0);
        let none = Lag {
            unsent_s: None,
            unindexed_s: None,
            unindexed_products: 0,
        };
        assert_eq!(none.seconds(), 0.0);
    }

    #[test]
    fn unavailable_readings_are_explicit_in_json() {
        let mut s = in_sync();
        s.queue = Reading::Unavailable;
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["queue"], serde_json::json!({"unavailable": true}));
        assert_eq!(json["outbox_backlog"], 0);
        assert_eq!(json["lag"]["unindexed_products"], 0);
    }
}
