//! What the status page and the badge show, formatted from a sample: plain
//! strings for the templates (askama escapes them).

use std::time::Duration;

use super::chart::human_duration;
use super::snapshot::{Reading, SyncSnapshot, SyncState};

const UNAVAILABLE: &str = "unavailable";

/// One line of the status table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Stable id (`sync-{id}` in the page), for tests and scripts.
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub available: bool,
    pub meaning: &'static str,
}

#[derive(Debug, Clone)]
pub struct StatusView {
    pub state_label: &'static str,
    pub state_slug: &'static str,
    pub explanation: String,
    pub rows: Vec<Row>,
    pub taken_at: String,
    /// Changes with every sample: the chart URL carries it so that a
    /// refreshed page loads the new chart.
    pub sample_id: i64,
    pub interval: String,
    pub window: String,
    pub refresh_ms: u128,
}

/// The badge: "in sync", "syncing 42", "degraded".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    pub text: String,
    pub state_slug: &'static str,
}

impl Badge {
    pub fn of(snapshot: Option<&SyncSnapshot>) -> Self {
        let Some(snapshot) = snapshot else {
            return Self {
                text: "checking sync".into(),
                state_slug: "unknown",
            };
        };
        let state = snapshot.state();
        let text = match (state, snapshot.pending_changes()) {
            (SyncState::Syncing, Some(n)) if n > 0 => format!("syncing {n}"),
            _ => state.label().to_owned(),
        };
        Self {
            text,
            state_slug: state.slug(),
        }
    }
}

impl StatusView {
    pub fn of(
        snapshot: Option<&SyncSnapshot>,
        sample_interval: Duration,
        window: Duration,
    ) -> Self {
        // The page refreshes as often as a new sample can appear.
        let refresh_ms = sample_interval.as_millis();
        let interval = human_duration(sample_interval.as_secs_f64());
        let window_text = human_duration(window.as_secs_f64());
        let Some(s) = snapshot else {
            return Self {
                state_label: "checking",
                state_slug: "unknown",
                explanation: "The first sample is being taken.".into(),
                rows: Vec::new(),
                taken_at: "not yet".into(),
                sample_id: 0,
                interval,
                window: window_text,
                refresh_ms,
            };
        };
        let state = s.state();
        let lag = s.lag.value();
        let rows = vec![
            row(
                "outbox",
                "Outbox backlog",
                s.outbox_backlog,
                |n| n.to_string(),
                "committed changes pelican has not sent to the queue yet",
            ),
            row(
                "queue-waiting",
                "Queue: waiting",
                s.queue.map(|q| q.visible),
                |n| n.to_string(),
                "messages in the job queue waiting for emu",
            ),
            row(
                "queue-in-flight",
                "Queue: in flight",
                s.queue.map(|q| q.in_flight),
                |n| n.to_string(),
                "messages emu has received and is embedding and writing",
            ),
            row(
                "dlq",
                "Dead-letter queue",
                s.dlq_depth,
                |n| n.to_string(),
                "changes that failed for good and need an operator",
            ),
            row(
                "parked",
                "Parked events",
                s.parked_events,
                |n| n.to_string(),
                "changes the queue refused (kept in outbox_parked)",
            ),
            row(
                "products",
                "Products",
                s.products,
                |n| n.to_string(),
                "rows in the products table",
            ),
            row(
                "vectors",
                "Vectors",
                s.vectors,
                |n| n.to_string(),
                "live vectors in the search index",
            ),
            row(
                "oldest-unsent",
                "Oldest unsent change",
                s.lag.map(|l| l.unsent_s),
                age,
                "age of the oldest change still in the outbox",
            ),
            row(
                "oldest-unindexed",
                "Oldest unindexed change",
                s.lag.map(|l| (l.unindexed_s, l.unindexed_products)),
                |(seconds, products)| match seconds {
                    Some(s) => format!("{} ({products} products)", human_duration(s)),
                    None => "none".into(),
                },
                "age of the oldest recent change whose vector is not the current version",
            ),
        ];
        let explanation = match state {
            SyncState::InSync => "Every change is in the search index.".to_owned(),
            SyncState::Syncing => match lag {
                Some(l) => format!(
                    "Changes are on their way to the search index; the oldest waits for {}.",
                    human_duration(l.seconds())
                ),
                None => "Changes are on their way to the search index.".to_owned(),
            },
            SyncState::Degraded => {
                let missing: Vec<&str> = rows
                    .iter()
                    .filter(|r| !r.available)
                    .map(|r| r.label)
                    .collect();
                if missing.is_empty() {
                    "Some changes failed for good (dead-letter queue or parked events).".to_owned()
                } else {
                    format!("Not every source answers: {}.", missing.join(", "))
                }
            }
        };
        Self {
            state_label: state.label(),
            state_slug: state.slug(),
            explanation,
            rows,
            taken_at: s.taken_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            sample_id: s.taken_at.timestamp_millis(),
            interval,
            window: window_text,
            refresh_ms,
        }
    }
}

fn row<T: Copy>(
    id: &'static str,
    label: &'static str,
    reading: Reading<T>,
    format: impl Fn(T) -> String,
    meaning: &'static str,
) -> Row {
    let (value, available) = match reading.value() {
        Some(v) => (format(v), true),
        None => (UNAVAILABLE.to_owned(), false),
    };
    Row {
        id,
        label,
        value,
        available,
        meaning,
    }
}

fn age(seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "none".to_owned(), human_duration)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::snapshot::tests::in_sync;
    use super::super::snapshot::{QueueDepth, Reading};
    use super::*;

    const INTERVAL: Duration = Duration::from_secs(2);
    const WINDOW: Duration = Duration::from_secs(900);

    #[test]
    fn the_badge_counts_pending_changes_while_syncing() {
        assert_eq!(Badge::of(Some(&in_sync())).text, "in sync");
        let mut s = in_sync();
        s.outbox_backlog = Reading::Value(40);
        s.queue = Reading::Value(QueueDepth {
            visible: 1,
            in_flight: 1,
        });
        let badge = Badge::of(Some(&s));
        assert_eq!(badge.text, "syncing 42");
        assert_eq!(badge.state_slug, "syncing");
        s.dlq_depth = Reading::Value(1);
        assert_eq!(Badge::of(Some(&s)).text, "degraded");
        assert_eq!(Badge::of(None).state_slug, "unknown");
    }

    #[test]
    fn an_unavailable_source_is_a_cell_not_a_failure() {
        let mut s = in_sync();
        s.queue = Reading::Unavailable;
        let view = StatusView::of(Some(&s), INTERVAL, WINDOW);
        assert_eq!(view.state_label, "degraded");
        let cell = |id: &str| view.rows.iter().find(|r| r.id == id).unwrap().clone();
        assert_eq!(cell("queue-waiting").value, "unavailable");
        assert!(!cell("queue-waiting").available);
        assert_eq!(cell("outbox").value, "0");
        assert_eq!(cell("vectors").value, "10");
        assert!(
            view.explanation.contains("Queue: waiting"),
            "{}",
            view.explanation
        );
        assert_eq!(view.refresh_ms, 2000);
        assert_eq!(view.window, "15 min");
    }

    #[test]
    fn before_the_first_sample_the_page_says_so() {
        let view = StatusView::of(None, INTERVAL, WINDOW);
        assert_eq!(view.state_slug, "unknown");
        assert!(view.rows.is_empty());
    }
}
