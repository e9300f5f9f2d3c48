//! Product metadata ⇄ Pinecone metadata.
//!
//! Pinecone's rules: values are strings, numbers, booleans or lists of
//! strings — no null (an absent field is left out), no nested objects — and
//! at most 40 KB per vector. Every vector carries `product_id` and `version`
//! (so results and `fetch` tell which row version they were computed from),
//! `sku` and `name`; `category` and `price` when the product has them.
//! `price` is a number so that range filters (`$gte`, `$lte`) work on it.

use std::str::FromStr;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::{Map, Number, Value};

use crate::{ProductMetadata, VectorRecord};

/// Pinecone allows 40 KB of metadata per vector; we stay under the decimal
/// reading of that (40 000 bytes of JSON), whichever one the service uses.
pub(super) const MAX_METADATA_BYTES: usize = 40_000;

/// The string fields that may be shortened to fit.
const CUTTABLE: [&str; 3] = ["sku", "name", "category"];

/// The metadata of one vector, within Pinecone's limits.
pub(super) fn encode(record: &VectorRecord) -> Map<String, Value> {
    let m = &record.metadata;
    let mut out = Map::new();
    // Numbers in Pinecone are 64-bit floats: ids and versions stay exact
    // up to 2^53, far beyond what a bigint identity and a per-row counter
    // reach.
    out.insert("product_id".into(), record.product_id.into());
    out.insert("version".into(), record.version.into());
    out.insert("sku".into(), m.sku.clone().into());
    out.insert("name".into(), m.name.clone().into());
    if let Some(category) = &m.category {
        out.insert("category".into(), category.clone().into());
    }
    if let Some(price) = m.price.and_then(|p| p.to_f64()).and_then(Number::from_f64) {
        out.insert("price".into(), Value::Number(price));
    }
    fit(&mut out, MAX_METADATA_BYTES);
    out
}

/// Shorten the longest strings until the JSON fits `limit`: every
/// cuttable string is capped at the same JSON length, the largest cap that
/// fits (found by bisection), so a long name and a long SKU are both cut to
/// the same size rather than one of them to nothing. Lengths are counted as
/// JSON (escapes included), since that is what the limit applies to.
fn fit(metadata: &mut Map<String, Value>, limit: usize) {
    if json_size(metadata) <= limit {
        return;
    }
    let originals: Vec<(&str, String)> = CUTTABLE
        .iter()
        .filter_map(|key| Some((*key, metadata.get(*key)?.as_str()?.to_owned())))
        .collect();
    let apply = |metadata: &mut Map<String, Value>, cap: usize| {
        for (key, text) in &originals {
            metadata.insert((*key).to_owned(), json_prefix(text, cap).into());
        }
    };
    // Cap 0 (all cut strings empty) always fits: what remains is two
    // numbers, a price and the keys.
    let (mut fits, mut too_big) = (
        0,
        originals
            .iter()
            .map(|(_, t)| json_len(t))
            .max()
            .unwrap_or(0)
            + 1,
    );
    while too_big - fits > 1 {
        let cap = fits + (too_big - fits) / 2;
        apply(metadata, cap);
        if json_size(metadata) <= limit {
            fits = cap;
        } else {
            too_big = cap;
        }
    }
    apply(metadata, fits);
}

fn json_size(metadata: &Map<String, Value>) -> usize {
    serde_json::to_vec(metadata).map_or(usize::MAX, |json| json.len())
}

/// Bytes a character takes inside a JSON string, as serde_json writes it.
fn json_char_len(c: char) -> usize {
    match c {
        '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
        c if u32::from(c) < 0x20 => 6,
        c => c.len_utf8(),
    }
}

fn json_len(text: &str) -> usize {
    text.chars().map(json_char_len).sum()
}

/// The longest prefix of `text`, at a character boundary, whose JSON form
/// (without quotes) takes at most `cap` bytes.
fn json_prefix(text: &str, cap: usize) -> &str {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        used += json_char_len(c);
        if used > cap {
            return &text[..at];
        }
    }
    text
}

/// The row version a stored vector was computed from.
pub(super) fn version(metadata: &Map<String, Value>) -> Option<i64> {
    integer(metadata.get("version")?)
}

/// Decode a stored vector's metadata; `None` when it was not written by
/// this store (no version or sku).
pub(super) fn decode(metadata: &Map<String, Value>) -> Option<(i64, ProductMetadata)> {
    let text = |key: &str| metadata.get(key).and_then(Value::as_str).map(str::to_owned);
    Some((
        version(metadata)?,
        ProductMetadata {
            sku: text("sku")?,
            name: text("name").unwrap_or_default(),
            category: text("category"),
            price: metadata.get("price").and_then(decimal),
        },
    ))
}

/// Pinecone hands numbers back as floats (`3.0`).
fn integer(value: &Value) -> Option<i64> {
    if let Some(i) = value.as_i64() {
        return Some(i);
    }
    let f = value.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
}

/// The shortest decimal that reads back as the stored float: the price as
/// written (12.99), not its binary approximation (12.9900000000000002).
fn decimal(value: &Value) -> Option<Decimal> {
    let Value::Number(n) = value else { return None };
    let text = n.to_string();
    Decimal::from_str(&text)
        .or_else(|_| Decimal::from_scientific(&text))
        .ok()
        .map(|d| d.normalize())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_lengths_match_serde_json() {
        for text in ["plain", "qu\"ote\\", "é€😀", "\u{1}\n\t\u{1f}", ""] {
            let json = serde_json::to_string(text).unwrap();
            assert_eq!(json_len(text), json.len() - 2, "{text:?}");
            assert_eq!(json_prefix(text, usize::MAX), text);
        }
        assert_eq!(json_prefix("aé", 2), "a");
        assert_eq!(json_prefix("aé", 3), "aé");
    }

    fn record(metadata: ProductMetadata) -> VectorRecord {
        VectorRecord {
            product_id: 42,
            version: 7,
            values: vec![1.0],
            metadata,
        }
    }

    #[test]
    fn absent_fields_are_left_out_and_numbers_round_trip() {
        let meta = encode(&record(ProductMetadata {
            sku: "S-1".into(),
            name: "Mug".into(),
            category: None,
            price: None,
        }));
        assert_eq!(meta.len(), 4);
        assert!(!meta.values().any(Value::is_null));

        let full = ProductMetadata {
            sku: "S-1".into(),
            name: "Mug".into(),
            category: Some("Kitchen".into()),
            price: Some(Decimal::new(1299, 2)),
        };
        let meta = encode(&record(full.clone()));
        assert_eq!(meta["price"], serde_json::json!(12.99));
        // As Pinecone returns them: every number a float.
        let mut returned = meta.clone();
        returned.insert("version".into(), serde_json::json!(7.0));
        let (version, decoded) = decode(&returned).unwrap();
        assert_eq!(version, 7);
        assert_eq!(decoded, full);
    }

    #[test]
    fn oversized_metadata_is_cut_at_character_boundaries() {
        let meta = encode(&record(ProductMetadata {
            sku: "\"".repeat(30_000),
            name: "é".repeat(50_000),
            category: Some("\u{1}".repeat(10_000)),
            price: Some(Decimal::ONE),
        }));
        let size = serde_json::to_vec(&meta).unwrap().len();
        assert!(size <= MAX_METADATA_BYTES, "{size}");
        assert!(size > MAX_METADATA_BYTES - 100, "cut too much: {size}");
        // Cut evenly: no field emptied to keep another whole.
        for key in ["sku", "name", "category"] {
            assert!(json_len(meta[key].as_str().unwrap()) > 10_000, "{key}");
        }
        for key in ["product_id", "version", "sku", "name", "category", "price"] {
            assert!(meta.contains_key(key), "{key}");
        }
    }
}
