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
//! The words live in `vocabulary.rs`; this file only combines them.

#[path = "vocabulary.rs"]
mod vocabulary;

use super::NewProduct;
use rust_decimal::Decimal;
use vocabulary::{BRANDS, CATEGORIES, Category, LINES, ProductType};

pub const DEFAULT_SEED: u64 = 42;

/// Descriptions are kept within these bounds (inclusive) so that embeddings
/// see enough text to be meaningful without any product dominating.
const MIN_WORDS: usize = 15;
const MAX_WORDS: usize = 80;

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

// ------------------------------------------------------------------ PRNG

/// The splitmix64 finaliser: a cheap, well-mixed 64-bit bijection.
const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// splitmix64. Tiny state, integer-only arithmetic, so the stream is
/// identical on every platform and compiler version.
struct Rng(u64);

impl Rng {
    const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

    /// Mixing the index before combining keeps neighbouring indexes (and
    /// neighbouring seeds) from producing correlated streams.
    fn new(seed: u64, index: u64) -> Self {
        Self(mix(
            seed.wrapping_mul(Self::GAMMA) ^ mix(index.wrapping_add(Self::GAMMA))
        ))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(Self::GAMMA);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n == 0`), via the multiply-high trick: no
    /// modulo bias worth caring about and no division.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// True with probability `percent`/100.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick_item<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }

    /// Picks a phrase; an empty pool yields "" so callers need no branching.
    fn pick(&mut self, items: &[&'static str]) -> &'static str {
        self.pick_item(items).copied().unwrap_or("")
    }

    /// Picks two different phrases when the pool allows it, so a description
    /// never repeats itself.
    fn pick_two(&mut self, items: &[&'static str]) -> (&'static str, &'static str) {
        let n = items.len();
        if n < 2 {
            let only = self.pick(items);
            return (only, only);
        }
        let a = self.below(n);
        let b = (a + 1 + self.below(n - 1)) % n;
        (
            items.get(a).copied().unwrap_or(""),
            items.get(b).copied().unwrap_or(""),
        )
    }
}

// ------------------------------------------------------------------ names

/// The optional parts shared by the name and the description, drawn once so
/// both talk about the same product.
struct Choice {
    brand: &'static str,
    line: Option<&'static str>,
    look: Option<&'static str>,
    size: Option<&'static str>,
    variant: Option<&'static str>,
}

impl Choice {
    fn draw(rng: &mut Rng, category: &Category, kind: &ProductType) -> Self {
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
    fn name(&self, kind: &ProductType) -> String {
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
fn title_case(noun: &str) -> String {
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

// ------------------------------------------------------------------ descriptions

/// Nouns like "running shoes" or "pruning shears" need "they"/"these" and
/// plural verbs. Every such noun in the vocabulary ends in a single "s"
/// ("French press" and "dog harness" end in "ss" and stay singular).
fn is_plural(noun: &str) -> bool {
    noun.ends_with('s') && !noun.ends_with("ss")
}

/// Turns a third-person-singular verb phrase into its plural form by fixing
/// the first verb ("keeps feet dry" → "keep feet dry"). The vocabulary is
/// written so only the first word is a verb that needs agreement.
fn agree(phrase: &str, plural: bool) -> String {
    if !plural {
        return phrase.to_owned();
    }
    let (verb, rest) = phrase.split_once(' ').unwrap_or((phrase, ""));
    let base = match verb {
        "is" => "are".to_owned(),
        "has" => "have".to_owned(),
        "does" => "do".to_owned(),
        "goes" => "go".to_owned(),
        v if v.ends_with("ies") => format!("{}y", &v[..v.len() - 3]),
        v if ["sses", "shes", "ches", "xes", "zes", "oes"]
            .iter()
            .any(|e| v.ends_with(e)) =>
        {
            v[..v.len() - 2].to_owned()
        }
        v => v.strip_suffix('s').unwrap_or(v).to_owned(),
    };
    if rest.is_empty() {
        base
    } else {
        format!("{base} {rest}")
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Adjectives for "A … {noun}"; all start with a consonant so "A" is right.
const QUALITIES: &[&str] = &[
    "dependable",
    "well-made",
    "sturdy",
    "thoughtfully designed",
    "practical",
    "versatile",
    "good-looking",
    "reliable",
];

/// Builds 15–80 words of product copy from several sentence templates. The
/// first sentence always says what the product is; the rest (uses, features,
/// material, audience, care) come in a shuffled order and varying number, so
/// descriptions of the same type still read differently.
fn describe(rng: &mut Rng, category: &Category, kind: &ProductType, choice: &Choice) -> String {
    let noun = kind.noun;
    let plural = is_plural(noun);
    let (it, this, it_is) = if plural {
        ("they", "these", "they're")
    } else {
        ("it", "this", "it's")
    };
    let (use_a, use_b) = rng.pick_two(kind.uses);
    let audience = rng.pick(category.audiences);

    // 1. What it is. Some openers already name the audience, in which case
    //    the body skips the audience sentence.
    let mut audience_said = false;
    let mut intro_used_a = false;
    let intro = match rng.below(4) {
        0 => {
            intro_used_a = true;
            format!("The {} {noun} {}.", choice.brand, agree(use_a, plural))
        }
        1 => {
            audience_said = true;
            format!("Meet the {} {noun}, made for {audience}.", choice.brand)
        }
        2 => {
            audience_said = true;
            let quality = rng.pick(QUALITIES);
            if plural {
                format!(
                    "{} {noun} from {} for {audience}.",
                    capitalize(quality),
                    choice.brand
                )
            } else {
                format!("A {quality} {noun} from {} for {audience}.", choice.brand)
            }
        }
        _ => {
            audience_said = true;
            format!(
                "{} designed {this} {noun} with {audience} in mind.",
                choice.brand
            )
        }
    };

    // 2. What it is for: one or two sentences, right after the opener.
    let mut uses: Vec<String> = Vec::with_capacity(2);
    let first_use = if intro_used_a { use_b } else { use_a };
    uses.push(match rng.below(4) {
        0 => format!("{} {}.", capitalize(it), agree(first_use, plural)),
        1 => format!("{} {noun} {}.", capitalize(this), agree(first_use, plural)),
        2 => format!("Built for everyday use, {it} {}.", agree(first_use, plural)),
        _ => format!(
            "Expect {} that {}.",
            with_article(noun, plural),
            agree(first_use, plural)
        ),
    });
    if !intro_used_a && use_b != use_a && rng.chance(50) {
        uses.push(format!("{} also {}.", capitalize(it), agree(use_b, plural)));
    }

    // 3. Everything else, optional and shuffled.
    let mut extras: Vec<String> = Vec::with_capacity(5);
    let (feature_a, feature_b) = rng.pick_two(category.features);
    extras.push(match rng.below(4) {
        0 => format!(
            "{} {} {feature_a}.",
            capitalize(it),
            if plural { "feature" } else { "features" }
        ),
        1 => format!("Highlights include {feature_a}, plus {feature_b}."),
        2 => format!("Thoughtful details include {feature_a}."),
        _ => format!("Also worth noting: {feature_a}."),
    });
    let materials = if kind.materials.is_empty() {
        category.materials
    } else {
        kind.materials
    };
    if rng.chance(75) {
        let material = rng.pick(materials);
        extras.push(if rng.chance(50) {
            format!("Made from {material}.")
        } else {
            format!("{} made from {material}.", capitalize(it_is))
        });
    }
    if !audience_said && rng.chance(60) {
        extras.push(match rng.below(3) {
            0 => format!("A smart pick for {audience}."),
            1 => format!("Especially handy for {audience}."),
            _ => format!("Made with {audience} in mind."),
        });
    }
    if rng.chance(55) {
        extras.push(rng.pick(category.care).to_owned());
    }
    shuffle(rng, &mut extras);

    // 4. Specifics of this listing, at the end where shoppers look for them.
    let mut specifics: Vec<String> = Vec::with_capacity(2);
    if let (Some(look), true) = (choice.look, category.looks_are_finishes) {
        specifics.push(format!("Shown in {}.", look.to_lowercase()));
    }
    if let Some(size) = choice.size {
        // Footwear sizes already read "Size 9"; avoid "Size: Size 9".
        specifics.push(if size.starts_with("Size ") {
            format!("{size}.")
        } else {
            format!("Size: {size}.")
        });
    }

    let mut sentences: Vec<String> = Vec::with_capacity(10);
    sentences.push(intro);
    sentences.extend(uses);
    sentences.extend(extras);
    sentences.extend(specifics);
    fit_length(rng, category, &mut sentences);
    sentences.join(" ")
}

fn with_article(noun: &str, plural: bool) -> String {
    if plural {
        return noun.to_owned();
    }
    // Lower-case only: capitalised words here are initialisms, handled below.
    let vowel = noun.chars().next().is_some_and(|c| "aeiou".contains(c));
    // Initialisms read letter by letter ("an LED", "an HD", "an RFID").
    let initialism = noun.split(' ').next().is_some_and(|w| {
        w.len() > 1
            && w.chars().all(|c| c.is_ascii_uppercase() || c == '-')
            && "AEFHILMNORSX".contains(w.chars().next().unwrap_or('B'))
    });
    if vowel || initialism {
        format!("an {noun}")
    } else {
        format!("a {noun}")
    }
}

/// Fisher–Yates, driven by our own PRNG for determinism.
fn shuffle<T>(rng: &mut Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i + 1);
        items.swap(i, j);
    }
}

fn word_count(sentences: &[String]) -> usize {
    sentences.iter().map(|s| s.split_whitespace().count()).sum()
}

/// Drops trailing sentences while too long (never the opener), then pads
/// with category feature/care sentences while too short.
fn fit_length(rng: &mut Rng, category: &Category, sentences: &mut Vec<String>) {
    while word_count(sentences) > MAX_WORDS && sentences.len() > 1 {
        sentences.pop();
    }
    let mut guard = 0;
    while word_count(sentences) < MIN_WORDS && guard < 4 {
        guard += 1;
        let filler = if guard % 2 == 1 {
            rng.pick(category.care).to_owned()
        } else {
            format!(
                "Thoughtful details include {}.",
                rng.pick(category.features)
            )
        };
        sentences.push(filler);
    }
}

// ------------------------------------------------------------------ price & SKU

/// A price inside `[lo, hi)` dollars with shop-like endings: mostly .99,
/// some .49/.00/.95, a few arbitrary cents. Integer cents keep it exact.
fn price(rng: &mut Rng, (lo, hi): (u32, u32)) -> Decimal {
    let lo = u64::from(lo.max(1));
    let hi = u64::from(hi).max(lo + 1);
    let mut dollars = lo + rng.below((hi - lo) as usize) as u64;
    // Pricier items usually end in 9 ($149.99 rather than $146.99).
    if dollars >= 100 && rng.chance(60) {
        let nine = dollars - dollars % 10 + 9;
        if nine < hi {
            dollars = nine;
        } else if nine >= lo + 10 {
            dollars = nine - 10;
        }
    }
    let cents = match rng.below(100) {
        0..45 => 99,
        45..60 => 49,
        60..75 => 0,
        75..85 => 95,
        _ => rng.below(100) as u64,
    };
    let total = i64::try_from(dollars * 100 + cents).unwrap_or(i64::MAX);
    Decimal::new(total, 2)
}

/// `KIT-000123-7F`: category code, zero-padded index (unique per index, so
/// SKUs are unique), and two hex digits of FNV-1a over the rest so a typo'd
/// SKU is usually detectable.
fn sku(code: &str, index: u64) -> String {
    let base = format!("{code}-{index:06}");
    let mut hash: u32 = 0x811C_9DC5;
    for byte in base.bytes() {
        hash = (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193);
    }
    let check = (hash ^ (hash >> 8) ^ (hash >> 16) ^ (hash >> 24)) & 0xFF;
    format!("{base}-{check:02X}")
}

#[cfg(test)]
mod tests {
    use super::*;
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
