//! Deterministic generator of realistic sample products.
//!
//! Every product is a pure function of `(seed, index)`: a small splitmix64
//! PRNG is seeded from the pair and drives every choice. That gives us:
//! - reproducible catalogs on every platform (no `rand`, whose algorithms and
//!   value streams may change between versions, and no floating point);
//! - the prefix property for free: product `i` never depends on the catalog
//!   size, so the first N products of a larger catalog equal a catalog of N;
//! - random access: a loader can generate any slice of the catalog in parallel.
//!
//! The words live in `vocabulary.rs`; the other files combine them, one job
//! each:
//! - `rng.rs`: the splitmix64 PRNG every choice is drawn from;
//! - `name.rs`: the optional parts of a product (brand, line, look, size,
//!   variant), drawn once, and the name made of them;
//! - `describe.rs`: the description, composed from sentence templates;
//! - `price.rs` and `sku.rs`: the price and the SKU.

mod describe;
mod name;
mod price;
mod rng;
mod sku;
mod vocabulary;

use describe::describe;
use name::Choice;
use price::price;
use rng::Rng;
use sku::sku;
use sync_core::product::NewProduct;
use vocabulary::{CATEGORIES, Category};

pub const DEFAULT_SEED: u64 = 42;

/// Pure function of (seed, index): same pair → same product; the first N
/// products of a larger catalog equal a catalog of size N.
pub fn product(seed: u64, index: u64) -> NewProduct {
    let mut rng = Rng::new(seed, index);
    let category = rng.pick_item(CATEGORIES).unwrap_or(&CATEGORIES_FALLBACK);
    let kind = rng.pick_item(category.types).unwrap_or(&vocabulary::T);

    let choice = Choice::draw(&mut rng, category, kind);
    let name = choice.name(kind);
    let description = describe(&mut rng, category, kind, &choice);
    let price = price(&mut rng, kind.price);

    NewProduct {
        sku: sku(category.code, index),
        name,
        description,
        category: Some(category.name.to_owned()),
        price: Some(price),
        updated_at: None,
    }
}

pub fn generate(seed: u64, count: u64) -> impl Iterator<Item = NewProduct> {
    (0..count).map(move |i| product(seed, i))
}

/// Names of all categories the generator can produce, in a stable order.
pub fn categories() -> &'static [&'static str] {
    &CATEGORY_NAMES
}

/// Derived from the vocabulary at compile time so the list can never drift
/// from the categories actually generated.
const CATEGORY_NAMES: [&str; CATEGORIES.len()] = {
    let mut names = [""; CATEGORIES.len()];
    let mut i = 0;
    while i < CATEGORIES.len() {
        names[i] = CATEGORIES[i].name;
        i += 1;
    }
    names
};

/// Only reachable if the vocabulary were emptied; keeps `product` total
/// without `unwrap`.
const CATEGORIES_FALLBACK: Category = Category {
    name: "General",
    code: "GEN",
    looks: &[],
    looks_are_finishes: false,
    materials: &[],
    features: &[],
    care: &[],
    audiences: &[],
    types: &[],
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::describe::{MAX_WORDS, MIN_WORDS, agree, with_article};
    use crate::name::title_case;
    use crate::vocabulary::BRANDS;
    use rust_decimal::Decimal;
    use std::collections::HashSet;

    #[test]
    fn same_seed_and_index_give_same_product() {
        for i in [0, 1, 17, 999, 123_456] {
            assert_eq!(product(DEFAULT_SEED, i), product(DEFAULT_SEED, i));
        }
        assert_ne!(product(1, 5), product(2, 5));
    }

    #[test]
    fn small_catalog_is_prefix_of_large_one() {
        let small: Vec<_> = generate(7, 200).collect();
        let large: Vec<_> = generate(7, 1_000).collect();
        assert_eq!(small[..], large[..200]);
    }

    #[test]
    fn skus_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for p in generate(DEFAULT_SEED, 100_000) {
            let parts: Vec<_> = p.sku.split('-').collect();
            assert_eq!(parts.len(), 3, "{}", p.sku);
            assert_eq!(parts[0].len(), 3);
            assert!(parts[1].len() >= 6 && parts[1].chars().all(|c| c.is_ascii_digit()));
            assert!(parts[2].len() == 2 && parts[2].chars().all(|c| c.is_ascii_hexdigit()));
            assert!(seen.insert(p.sku));
        }
    }

    #[test]
    fn first_thousand_cover_many_categories() {
        let cats: HashSet<_> = generate(DEFAULT_SEED, 1_000)
            .filter_map(|p| p.category)
            .collect();
        assert!(cats.len() >= 20, "only {} categories", cats.len());
        assert!(cats.iter().all(|c| categories().contains(&c.as_str())));
    }

    #[test]
    fn vocabulary_is_rich_enough() {
        assert!(categories().len() >= 24);
        for c in CATEGORIES {
            assert!(c.types.len() >= 8, "{} has {} types", c.name, c.types.len());
            assert_eq!(c.code.len(), 3);
            for t in c.types {
                assert!((2..=4).contains(&t.uses.len()), "{}", t.noun);
                assert!(0 < t.price.0 && t.price.0 < t.price.1, "{}", t.noun);
            }
        }
        let codes: HashSet<_> = CATEGORIES.iter().map(|c| c.code).collect();
        assert_eq!(codes.len(), CATEGORIES.len());
        assert!(BRANDS.len() >= 40);
    }

    #[test]
    fn descriptions_have_15_to_80_words() {
        for p in generate(DEFAULT_SEED, 20_000) {
            let words = p.description.split_whitespace().count();
            assert!(
                (MIN_WORDS..=MAX_WORDS).contains(&words),
                "{words}: {}",
                p.description
            );
        }
    }

    #[test]
    fn prices_are_positive_with_two_decimals_and_in_range() {
        for i in 0..20_000 {
            let p = product(DEFAULT_SEED, i);
            let price = p.price.expect("price");
            assert!(price > Decimal::ZERO);
            assert_eq!(price.scale(), 2, "{price}");
        }
        let endings = generate(3, 1_000)
            .filter_map(|p| p.price)
            .filter(|p| {
                [".99", ".49", ".00"]
                    .iter()
                    .any(|e| p.to_string().ends_with(e))
            })
            .count();
        assert!(endings > 500, "{endings}");
        let mut rng = Rng::new(1, 1);
        for _ in 0..10_000 {
            let p = price(&mut rng, (99, 449));
            assert!(p >= Decimal::new(99, 0) && p < Decimal::new(449, 0), "{p}");
        }
    }

    #[test]
    fn names_are_mostly_distinct() {
        let names: HashSet<_> = generate(DEFAULT_SEED, 10_000).map(|p| p.name).collect();
        assert!(names.len() >= 9_500, "only {} distinct names", names.len());
    }

    #[test]
    fn updated_at_is_left_to_the_database() {
        assert!(generate(DEFAULT_SEED, 100).all(|p| p.updated_at.is_none()));
    }

    #[test]
    fn grammar_helpers() {
        assert_eq!(title_case("cast-iron skillet"), "Cast-Iron Skillet");
        assert_eq!(
            title_case("shampoo and conditioner set"),
            "Shampoo and Conditioner Set"
        );
        assert_eq!(title_case("USB-C charger"), "USB-C Charger");
        assert_eq!(agree("keeps feet dry", true), "keep feet dry");
        assert_eq!(agree("is light", true), "are light");
        assert_eq!(agree("carries water", true), "carry water");
        assert_eq!(agree("washes away", true), "wash away");
        assert_eq!(agree("keeps feet dry", false), "keeps feet dry");
        assert_eq!(with_article("LED headlamp", false), "an LED headlamp");
        assert_eq!(with_article("electric kettle", false), "an electric kettle");
        assert_eq!(with_article("USB-C charger", false), "a USB-C charger");
        assert_eq!(sku("KIT", 123).len(), "KIT-000123-7F".len());
    }
}
