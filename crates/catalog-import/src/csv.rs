//! Today's CSV rules, shared by `catalogctl import products.csv` and the
//! bulk upload's import jobs (`crate::run`).
//!
//! The header decides the columns. `sku`, `name`, `description` are required;
//! `price` (`$1,234.56` or `1234.56`), `category` and `last_updated` are
//! optional; this is a superset of the original architecture's
//! `products_no_id.csv`. An unknown or missing column fails before anything is
//! written; a row with an invalid value is reported with its line number and
//! skipped, and the rest imports.

use std::io::Read;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;

use sync_core::product::{NewProduct, StoreError, upsert_products};

const REQUIRED: [&str; 3] = ["sku", "name", "description"];
const OPTIONAL: [&str; 3] = ["price", "category", "last_updated"];
/// Rows per transaction: large enough for COPY to dominate, small enough to
/// show progress and to keep a failed chunk cheap to redo.
const CHUNK_ROWS: usize = 5_000;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not read the CSV: {0}")]
    Read(#[from] csv::Error),
    #[error(
        "unknown column {0:?} (allowed: sku, name, description, price, category, last_updated)"
    )]
    UnknownColumn(String),
    #[error("missing required column {0:?}")]
    MissingColumn(&'static str),
    #[error("column {0:?} appears twice")]
    DuplicateColumn(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A row that was skipped, with the 1-based line number in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectedRow {
    pub line: u64,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub imported: u64,
    pub rejected: Vec<RejectedRow>,
}

/// Which input column holds which field (from the header).
#[derive(Debug, Clone)]
pub struct Columns {
    /// Fields in the header: every row must have as many.
    width: usize,
    sku: usize,
    name: usize,
    description: usize,
    price: Option<usize>,
    category: Option<usize>,
    last_updated: Option<usize>,
}

impl Columns {
    /// The header decides the columns: an unknown, duplicated or missing
    /// column is an error (nothing may be written then).
    pub fn from_header(header: &csv::StringRecord) -> Result<Self, ImportError> {
        let mut seen: Vec<String> = Vec::new();
        for raw in header {
            let name = raw
                .trim()
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase();
            if !REQUIRED.contains(&name.as_str()) && !OPTIONAL.contains(&name.as_str()) {
                return Err(ImportError::UnknownColumn(raw.to_owned()));
            }
            if seen.contains(&name) {
                return Err(ImportError::DuplicateColumn(name));
            }
            seen.push(name);
        }
        let find = |name: &str| seen.iter().position(|s| s == name);
        let required = |name: &'static str| find(name).ok_or(ImportError::MissingColumn(name));
        Ok(Self {
            width: header.len(),
            sku: required("sku")?,
            name: required("name")?,
            description: required("description")?,
            price: find("price"),
            category: find("category"),
            last_updated: find("last_updated"),
        })
    }

    /// One data row as a product, or why it is skipped.
    pub fn row(&self, record: &csv::StringRecord) -> Result<NewProduct, String> {
        if record.len() != self.width {
            return Err(format!(
                "has {} fields, the header has {}",
                record.len(),
                self.width
            ));
        }
        self.parse(record)
    }

    fn parse(&self, record: &csv::StringRecord) -> Result<NewProduct, String> {
        if record.iter().any(|f| f.contains('\0')) {
            return Err("contains a NUL character".into());
        }
        let field = |i: usize| record.get(i).unwrap_or("").trim();
        let optional = |i: Option<usize>| i.map(field).filter(|v| !v.is_empty());
        let sku = field(self.sku);
        if sku.is_empty() {
            return Err("sku is empty".into());
        }
        let name = field(self.name);
        if name.is_empty() {
            return Err("name is empty".into());
        }
        let price = optional(self.price).map(parse_price).transpose()?;
        let updated_at = optional(self.last_updated)
            .map(parse_timestamp)
            .transpose()?;
        Ok(NewProduct {
            sku: sku.to_owned(),
            name: name.to_owned(),
            description: field(self.description).to_owned(),
            category: optional(self.category).map(str::to_owned),
            price,
            updated_at,
        })
    }
}

/// `$1,234.56`, `1234.56`, `1234` → a non-negative decimal with ≤ 2 places
/// that fits `numeric(12,2)`.
pub fn parse_price(raw: &str) -> Result<Decimal, String> {
    let cleaned: String = raw
        .trim()
        .trim_start_matches('$')
        .chars()
        .filter(|c| *c != ',')
        .collect();
    let price =
        Decimal::from_str(&cleaned).map_err(|_| format!("price {raw:?} is not a number"))?;
    if price.is_sign_negative() {
        return Err(format!("price {raw:?} is negative"));
    }
    if price.scale() > 2 && price.round_dp(2) != price {
        return Err(format!("price {raw:?} has more than 2 decimal places"));
    }
    if price >= Decimal::from(10_000_000_000_i64) {
        return Err(format!("price {raw:?} is too large"));
    }
    Ok(price.round_dp(2))
}

/// RFC 3339, `YYYY-MM-DD HH:MM:SS[.f]` (taken as UTC) or `YYYY-MM-DD`.
pub fn parse_timestamp(raw: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(raw, format) {
            return Ok(t.and_utc());
        }
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("last_updated {raw:?} is not a date or timestamp"))
}

/// Import a CSV stream. `progress` is called with the number of rows read so
/// far after each committed chunk.
pub async fn import_csv(
    pool: &PgPool,
    input: impl Read,
    mut progress: impl FnMut(u64),
) -> Result<ImportReport, ImportError> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::None)
        .from_reader(input);
    let columns = Columns::from_header(reader.headers()?)?;

    let mut report = ImportReport::default();
    let mut chunk = Vec::with_capacity(CHUNK_ROWS);
    let mut rows_read = 0_u64;
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            // Invalid UTF-8 and similar: the row is unusable, the file is not.
            Err(e) if !matches!(e.kind(), csv::ErrorKind::Io(_)) => {
                report.rejected.push(RejectedRow {
                    line,
                    reason: e.to_string(),
                });
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        rows_read += 1;
        let line = record.position().map_or(line, csv::Position::line);
        match columns.row(&record) {
            Ok(product) => chunk.push(product),
            Err(reason) => report.rejected.push(RejectedRow { line, reason }),
        }
        if chunk.len() == CHUNK_ROWS {
            report.imported += upsert_products(pool, &chunk).await?;
            chunk.clear();
            progress(rows_read);
        }
    }
    report.imported += upsert_products(pool, &chunk).await?;
    progress(rows_read);
    Ok(report)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn prices_in_both_formats() {
        assert_eq!(parse_price("$1,234.56").unwrap(), Decimal::new(123_456, 2));
        assert_eq!(parse_price("1234.56").unwrap(), Decimal::new(123_456, 2));
        assert_eq!(parse_price(" 7 ").unwrap(), Decimal::from(7));
        assert!(parse_price("abc").is_err());
        assert!(parse_price("-1").is_err());
        assert!(parse_price("1.234").is_err());
        assert!(parse_price("99999999999").is_err());
    }

    #[test]
    fn timestamps_in_common_formats() {
        assert!(parse_timestamp("2024-01-02T03:04:05Z").is_ok());
        assert!(parse_timestamp("2024-01-02 03:04:05").is_ok());
        assert!(parse_timestamp("2024-01-02").is_ok());
        assert!(parse_timestamp("yesterday").is_err());
    }

    #[test]
    fn header_decides_the_columns() {
        let header = |h: &[&str]| Columns::from_header(&csv::StringRecord::from(h.to_vec()));
        assert!(header(&["name", "sku", "description", "price", "last_updated"]).is_ok());
        assert!(matches!(
            header(&["name", "sku", "description", "colour"]),
            Err(ImportError::UnknownColumn(c)) if c == "colour"
        ));
        assert!(matches!(
            header(&["name", "sku"]),
            Err(ImportError::MissingColumn("description"))
        ));
        assert!(matches!(
            header(&["sku", "SKU", "name", "description"]),
            Err(ImportError::DuplicateColumn(_))
        ));
    }
}
