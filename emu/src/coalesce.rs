//! Within a batch, keep only the newest change per product.
//!
//! FIFO delivery already orders a product's events, and a batch may hold
//! several of them (a burst of edits). Only the newest matters: embedding
//! the older ones would be wasted work, and writing them could only be
//! overwritten. A delete carries the deleted row's version + 1, so it wins
//! over every upsert of that row by the same rule.

use std::collections::HashMap;

use shared::change_event::ChangeEvent;

/// Indexes (into `events`) of the newest event per product, in input order.
pub fn newest_per_product(events: &[&ChangeEvent]) -> Vec<usize> {
    let mut newest: HashMap<i64, usize> = HashMap::new();
    for (i, event) in events.iter().enumerate() {
        newest
            .entry(event.product_id)
            .and_modify(|best| {
                if event.version > events[*best].version {
                    *best = i;
                }
            })
            .or_insert(i);
    }
    let mut keep: Vec<usize> = newest.into_values().collect();
    keep.sort_unstable();
    keep
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use shared::change_event::{Operation, SCHEMA_VERSION};

    fn event(product_id: i64, version: i64, op: Operation) -> ChangeEvent {
        ChangeEvent {
            schema_version: SCHEMA_VERSION,
            event_id: uuid::Uuid::new_v4(),
            op,
            product_id,
            version,
            occurred_at: chrono::Utc::now(),
            product: None,
            truncated: false,
        }
    }

    #[test]
    fn newest_version_wins_and_delete_beats_older_upserts() {
        let events = [
            event(1, 1, Operation::Upsert),
            event(2, 4, Operation::Upsert),
            event(1, 3, Operation::Upsert),
            event(1, 2, Operation::Upsert),
            event(2, 5, Operation::Delete),
            event(3, 1, Operation::Upsert),
            event(3, 1, Operation::Upsert), // a redelivered duplicate
        ];
        let refs: Vec<_> = events.iter().collect();
        assert_eq!(newest_per_product(&refs), vec![2, 4, 5]);
    }
}
