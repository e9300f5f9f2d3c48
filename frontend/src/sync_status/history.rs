//! The last minutes of samples, bounded: a ring buffer of the two numbers
//! the chart draws.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::snapshot::SyncSnapshot;

/// What the chart and `/api/status` keep of one sample. `None` = the source
/// did not answer then (a gap in the line, not a zero).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct HistoryPoint {
    pub at: DateTime<Utc>,
    /// Age of the oldest unprocessed change, seconds.
    pub lag_s: Option<f64>,
    /// Changes on their way: outbox rows plus job-queue messages.
    pub backlog: Option<u64>,
}

impl HistoryPoint {
    pub fn of(snapshot: &SyncSnapshot) -> Self {
        Self {
            at: snapshot.taken_at,
            lag_s: snapshot.lag.value().map(|l| l.seconds()),
            backlog: snapshot.pending_changes(),
        }
    }
}

/// Oldest first; pushing into a full buffer drops the oldest point.
#[derive(Debug, Clone)]
pub struct History {
    points: VecDeque<HistoryPoint>,
    capacity: usize,
}

impl History {
    pub fn with_capacity(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Self {
            points: VecDeque::with_capacity(capacity),
            capacity,
        }
    }

    pub fn push(&mut self, point: HistoryPoint) {
        if self.points.len() == self.capacity {
            self.points.pop_front();
        }
        self.points.push_back(point);
    }

    pub fn points(&self) -> Vec<HistoryPoint> {
        self.points.iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(second: i64) -> HistoryPoint {
        HistoryPoint {
            at: DateTime::from_timestamp(second, 0).unwrap_or_default(),
            lag_s: Some(0.0),
            backlog: Some(0),
        }
    }

    #[test]
    fn keeps_the_newest_points_up_to_capacity() {
        let mut history = History::with_capacity(3);
        for s in 0..5 {
            history.push(point(s));
        }
        let kept: Vec<i64> = history.points().iter().map(|p| p.at.timestamp()).collect();
        assert_eq!(kept, [2, 3, 4]);
    }

    #[test]
    fn a_zero_capacity_still_keeps_the_latest() {
        let mut history = History::with_capacity(0);
        history.push(point(1));
        history.push(point(2));
        assert_eq!(history.points(), [point(2)]);
    }
}
