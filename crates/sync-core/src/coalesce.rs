//! "The newest version of a product wins": the rule behind guarantee 3 (no
//! stale vector at rest), in one function.
//!
//! Every change event carries the row version after the change (a delete
//! carries the deleted row's version + 1, so it wins over every upsert of
//! that row by the same rule). emu keeps the newest event per product of a
//! batch (embedding the older ones would be wasted work that could only be
//! overwritten), and each vector store keeps the newest record per product
//! of a write (a store cannot apply two writes of one key in one statement
//! or request in a defined order).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

/// The newest item per product, in product order. `key` gives an item's
/// (product id, version); of equal versions (a redelivered duplicate) the
/// first one is kept. Product order lets concurrent writers lock the same
/// rows in the same order, so they queue up instead of deadlocking.
pub fn newest_per_product<T>(
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> (i64, i64),
) -> Vec<T> {
    let mut newest: HashMap<i64, T> = HashMap::new();
    for item in items {
        let (product_id, version) = key(&item);
        match newest.entry(product_id) {
            Entry::Occupied(mut kept) => {
                if version > key(kept.get()).1 {
                    kept.insert(item);
                }
            }
            Entry::Vacant(slot) => {
                slot.insert(item);
            }
        }
    }
    let mut out: Vec<T> = newest.into_values().collect();
    out.sort_unstable_by_key(|item| key(item).0);
    out
}

#[cfg(test)]
mod tests {
    use super::newest_per_product;

    #[test]
    fn the_highest_version_of_each_product_wins_in_product_order() {
        // (product, version, label)
        let changes = [
            (1, 1, "a"),
            (2, 4, "b"),
            (1, 3, "c"),
            (1, 2, "d"),
            (2, 5, "delete"),
            (3, 1, "e"),
            (3, 1, "redelivered e"),
        ];
        let kept = newest_per_product(changes, |&(id, version, _)| (id, version));
        assert_eq!(kept, [(1, 3, "c"), (2, 5, "delete"), (3, 1, "e")]);
        assert!(newest_per_product(Vec::<(i64, i64)>::new(), |&c| c).is_empty());
    }
}
