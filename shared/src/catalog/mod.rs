//! Products as they enter the system: the generated sample catalog and the
//! CSV import. Both end in [`store::upsert_products`], which upserts by SKU.

pub mod csv_import;
pub mod document;
pub mod generator;
pub mod store;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

/// A product to insert or update, keyed by `sku`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    pub sku: String,
    pub name: String,
    pub description: String,
    pub category: Option<String>,
    pub price: Option<Decimal>,
    /// From the CSV's `last_updated`; `None` lets the database set it.
    pub updated_at: Option<DateTime<Utc>>,
}
