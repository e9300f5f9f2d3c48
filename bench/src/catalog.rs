//! The inputs every phase shares: the generated catalog (the rows bulk
//! synced, and their texts exactly as emu embeds them) and shopper queries.

use std::path::Path;

use anyhow::Context;
use sync_core::document;
use sync_core::product::NewProduct;

/// Seed of the benchmark catalog: the sample catalog's, so that the first
/// `rows` products are what `make up` loads.
const SEED: u64 = sample_catalog::DEFAULT_SEED;

pub fn products(rows: u64) -> Vec<NewProduct> {
    sample_catalog::generate(SEED, rows).collect()
}

/// The text emu embeds for each product (`document::compose`).
pub fn texts(products: &[NewProduct]) -> Vec<String> {
    products
        .iter()
        .map(|p| document::compose(&p.name, p.category.as_deref(), &p.description))
        .collect()
}

/// Shopper queries of the search-quality eval set (`eval/queries.csv`).
pub fn queries(root: &Path) -> anyhow::Result<Vec<String>> {
    let path = root.join("eval/queries.csv");
    let mut reader =
        csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.with_context(|| format!("parsing {}", path.display()))?;
        if let Some(query) = record.get(0).filter(|q| !q.trim().is_empty()) {
            out.push(query.to_owned());
        }
    }
    anyhow::ensure!(!out.is_empty(), "{} holds no queries", path.display());
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn texts_match_the_products_and_queries_load() {
        let products = products(100);
        let texts = texts(&products);
        assert_eq!(texts.len(), 100);
        let p = &products[7];
        assert_eq!(
            texts[7],
            document::compose(&p.name, p.category.as_deref(), &p.description)
        );
        let queries = queries(&crate::workspace_root()).unwrap();
        assert!(queries.len() >= 50);
    }
}
