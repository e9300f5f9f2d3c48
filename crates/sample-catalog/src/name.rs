//! The optional parts of a product, drawn once, and its name.

use crate::rng::Rng;
use crate::vocabulary::{BRANDS, Category, LINES, ProductType};

/// The optional parts shared by the name and the description, drawn once so
/// both talk about the same product.
pub(crate) struct Choice {
    pub(crate) brand: &'static str,
    pub(crate) line: Option<&'static str>,
    pub(crate) look: Option<&'static str>,
    pub(crate) size: Option<&'static str>,
    pub(crate) variant: Option<&'static str>,
}

impl Choice {
    pub(crate) fn draw(rng: &mut Rng, category: &Category, kind: &ProductType) -> Self {
        let brand = rng.pick(BRANDS);
        let line = rng.chance(35).then(|| rng.pick(LINES));
        // Probabilities tuned so that names look varied but not overloaded,
        // while giving enough combinations for ≥ 95 % distinct names.
        let look = (!category.looks.is_empty() && rng.chance(45)).then(|| rng.pick(category.looks));
        let size = (!kind.sizes.is_empty() && rng.chance(80)).then(|| rng.pick(kind.sizes));
        let variant =
            (!kind.variants.is_empty() && rng.chance(50)).then(|| rng.pick(kind.variants));
        Self {
            brand,
            line,
            look,
            size,
            variant,
        }
    }

    /// "Northwind Cast-Iron Skillet 10-inch, Pre-Seasoned".
    pub(crate) fn name(&self, kind: &ProductType) -> String {
        let mut name = String::with_capacity(64);
        name.push_str(self.brand);
        if let Some(line) = self.line {
            name.push(' ');
            name.push_str(line);
        }
        if let Some(look) = self.look {
            name.push(' ');
            name.push_str(look);
        }
        name.push(' ');
        name.push_str(&title_case(kind.noun));
        if let Some(size) = self.size {
            name.push(' ');
            name.push_str(size);
        }
        if let Some(variant) = self.variant {
            name.push_str(", ");
            name.push_str(variant);
        }
        name
    }
}

/// Title-cases a sentence-case noun: words and hyphenated parts get a capital
/// ("cast-iron skillet" → "Cast-Iron Skillet"), short joining words do not,
/// and existing capitals ("USB-C", "French") are kept.
pub(crate) fn title_case(noun: &str) -> String {
    const SMALL: &[&str] = &["and", "of", "for", "with", "in", "to", "a"];
    let mut out = String::with_capacity(noun.len());
    for (w, word) in noun.split(' ').enumerate() {
        if w > 0 {
            out.push(' ');
        }
        if w > 0 && SMALL.contains(&word) {
            out.push_str(word);
            continue;
        }
        let mut capitalize = true;
        for c in word.chars() {
            if capitalize {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
            capitalize = c == '-';
        }
    }
    out
}
