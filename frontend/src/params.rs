//! Search parameters from a query string, shared by the search page and
//! `GET /api/search`, with the error rules of the API:
//! * 400 — a value that is not what it should be at all: a non-numeric
//!   `k`, `page` or price, a parameter given twice, percent-encoding that
//!   is not UTF-8;
//! * 422 — a well-formed value out of range: `k` outside 1..=100, a query
//!   over [`MAX_QUERY_CHARS`] characters, a negative price, `min_price` above
//!   `max_price`, a page beyond the ranked window.
//!
//! Unknown parameters are ignored (tracking parameters, cache busters).

use std::str::FromStr;

use crate::search::{MAX_QUERY_CHARS, MAX_RESULT_WINDOW, SearchRequest};
use axum::http::StatusCode;
use percent_encoding::percent_decode;
use rust_decimal::Decimal;
use utoipa::IntoParams;
use vector_store::QueryFilter;

/// Results per page when `k` is not given.
pub const DEFAULT_K: usize = 10;
/// The largest `k`.
pub const MAX_K: usize = 100;

/// Why a parameter was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    /// 400 or 422, see the module documentation.
    pub status: StatusCode,
    pub param: String,
    pub message: String,
}

impl ParamError {
    fn malformed(param: &str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            param: param.to_owned(),
            message: message.into(),
        }
    }

    fn out_of_range(param: &str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            param: param.to_owned(),
            message: message.into(),
        }
    }
}

/// The decoded `name=value` pairs of a query string. Percent-encoding that
/// does not decode to UTF-8 is refused rather than replaced, so a request
/// never searches for something the client did not send.
fn decode_pairs(raw: &str) -> Result<Vec<(String, String)>, ParamError> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name).map_err(|()| {
                ParamError::malformed("query", "a parameter name is not valid UTF-8")
            })?;
            let value = decode(value)
                .map_err(|()| ParamError::malformed(&name, format!("{name} is not valid UTF-8")))?;
            Ok((name, value))
        })
        .collect()
}

fn decode(component: &str) -> Result<String, ()> {
    let plus_as_space = component.replace('+', " ");
    percent_decode(plus_as_space.as_bytes())
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| ())
}

/// The search a request asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchParams {
    /// As typed (trimmed): empty = browse the newest products.
    pub q: String,
    pub k: usize,
    /// 1-based.
    pub page: usize,
    pub filter: QueryFilter,
}

impl Default for SearchParams {
    fn default() -> Self {
        Self {
            q: String::new(),
            k: DEFAULT_K,
            page: 1,
            filter: QueryFilter::default(),
        }
    }
}

/// The raw text of each parameter, kept so a form can be shown again as
/// the user typed it (even when it was refused). Its `#[param]`s document
/// `GET /api/search` (the limits are the constants above; a test compares).
#[derive(Debug, Clone, Default, PartialEq, Eq, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawParams {
    /// What to search for, in plain words (trimmed). Empty or absent:
    /// browse the newest products. Over 512 characters: 422.
    #[param(value_type = Option<String>, max_length = 512)]
    pub q: String,
    /// Results per page, 1 to 100 (default 10). Not a whole number: 400;
    /// out of range: 422.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100, default = 10)]
    pub k: String,
    /// 1-based page number (default 1). Only the first 200 results can be
    /// paged through: a later page is a 422.
    #[param(value_type = Option<u32>, minimum = 1, default = 1)]
    pub page: String,
    /// Only this category (exact match).
    #[param(value_type = Option<String>)]
    pub category: String,
    /// Lowest price, a plain decimal such as `19.99` (a leading `$` is
    /// allowed). Not a number: 400; negative or above `max_price`: 422.
    #[param(value_type = Option<String>, example = "5.00")]
    pub min_price: String,
    /// Highest price, as `min_price`.
    #[param(value_type = Option<String>, example = "50")]
    pub max_price: String,
}

impl RawParams {
    /// Decode a query string (`None` = no `?`).
    pub fn from_query(raw: Option<&str>) -> Result<Self, ParamError> {
        let mut out = Self::default();
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in decode_pairs(raw.unwrap_or(""))? {
            let slot = match name.as_str() {
                "q" => &mut out.q,
                "k" => &mut out.k,
                "page" => &mut out.page,
                "category" => &mut out.category,
                "min_price" => &mut out.min_price,
                "max_price" => &mut out.max_price,
                _ => continue,
            };
            // Postgres text cannot hold NUL: refuse it here rather than
            // fail in the database.
            if value.contains('\0') {
                return Err(ParamError::malformed(
                    &name,
                    format!("{name} contains a NUL character"),
                ));
            }
            if seen.contains(&name) {
                return Err(ParamError::malformed(
                    &name,
                    format!("{name} is given more than once"),
                ));
            }
            *slot = value;
            seen.push(name);
        }
        Ok(out)
    }

    /// Check every value (see the module documentation for the rules).
    pub fn validate(&self) -> Result<SearchParams, ParamError> {
        let q = self.q.trim().to_owned();
        let chars = q.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(ParamError::out_of_range(
                "q",
                format!("the query has {chars} characters; at most {MAX_QUERY_CHARS} are allowed"),
            ));
        }
        let k = parse_count("k", &self.k, DEFAULT_K)?;
        if !(1..=MAX_K).contains(&k) {
            return Err(ParamError::out_of_range(
                "k",
                format!("k must be between 1 and {MAX_K}"),
            ));
        }
        let page = parse_count("page", &self.page, 1)?;
        if page == 0 {
            return Err(ParamError::out_of_range("page", "page numbers start at 1"));
        }
        let last_page = MAX_RESULT_WINDOW / k;
        if page > last_page {
            return Err(ParamError::out_of_range(
                "page",
                format!(
                    "at most the first {MAX_RESULT_WINDOW} results can be shown: with k={k} the last page is {last_page}"
                ),
            ));
        }
        let min_price = parse_price("min_price", &self.min_price)?;
        let max_price = parse_price("max_price", &self.max_price)?;
        if let (Some(min), Some(max)) = (min_price, max_price)
            && min > max
        {
            return Err(ParamError::out_of_range(
                "min_price",
                "min_price is above max_price",
            ));
        }
        let category = Some(self.category.trim().to_owned()).filter(|c| !c.is_empty());
        Ok(SearchParams {
            q,
            k,
            page,
            filter: QueryFilter {
                category,
                min_price,
                max_price,
            },
        })
    }
}

fn parse_count(param: &str, raw: &str, default: usize) -> Result<usize, ParamError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(default);
    }
    usize::from_str(raw)
        .map_err(|_| ParamError::malformed(param, format!("{param} must be a whole number")))
}

fn parse_price(param: &str, raw: &str) -> Result<Option<Decimal>, ParamError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    let digits = raw.strip_prefix('$').unwrap_or(raw);
    let price = Decimal::from_str(digits)
        .ok()
        .filter(|_| crate::edit::is_plain_decimal(digits))
        .ok_or_else(|| {
            ParamError::malformed(param, format!("{param} must be a number such as 19.99"))
        })?;
    if price.is_sign_negative() && !price.is_zero() {
        return Err(ParamError::out_of_range(
            param,
            format!("{param} may not be negative"),
        ));
    }
    Ok(Some(price))
}

impl SearchParams {
    pub fn offset(&self) -> usize {
        (self.page - 1) * self.k
    }

    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            query: self.q.clone(),
            filter: self.filter.clone(),
            offset: self.offset(),
            limit: self.k,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn parse(raw: &str) -> Result<SearchParams, ParamError> {
        RawParams::from_query(Some(raw))?.validate()
    }

    #[test]
    fn defaults_and_decoding() {
        assert_eq!(parse("").unwrap(), SearchParams::default());
        let p = parse("q=warm+socks%21&k=5&page=2&category=Home%20%26%20Garden&min_price=%245&max_price=10.50&utm=x")
            .unwrap();
        assert_eq!(p.q, "warm socks!");
        assert_eq!((p.k, p.page, p.offset()), (5, 2, 5));
        assert_eq!(p.filter.category.as_deref(), Some("Home & Garden"));
        assert_eq!(p.filter.min_price, Some(Decimal::new(5, 0)));
        assert_eq!(p.filter.max_price, Some(Decimal::new(1050, 2)));
    }

    #[test]
    fn malformed_values_are_400_and_out_of_range_values_422() {
        let bad = StatusCode::BAD_REQUEST;
        let range = StatusCode::UNPROCESSABLE_ENTITY;
        let long = format!("q={}", "a".repeat(MAX_QUERY_CHARS + 1));
        for (query, status, param) in [
            ("k=ten", bad, "k"),
            ("k=0", range, "k"),
            ("k=101", range, "k"),
            ("k=-1", bad, "k"),
            ("page=0", range, "page"),
            ("page=99999999999999999999999", bad, "page"),
            ("k=100&page=3", range, "page"),
            ("min_price=cheap", bad, "min_price"),
            ("max_price=NaN", bad, "max_price"),
            ("max_price=1e3", bad, "max_price"),
            ("min_price=-1", range, "min_price"),
            ("min_price=10&max_price=5", range, "min_price"),
            ("q=%FF%FE", bad, "q"),
            ("q=a&q=b", bad, "q"),
            ("category=a%00b", bad, "category"),
            (long.as_str(), range, "q"),
        ] {
            let err = parse(query).unwrap_err();
            assert_eq!(
                (err.status, err.param.as_str()),
                (status, param),
                "{query}: {err:?}"
            );
        }
        assert!(parse(&format!("q={}", "é".repeat(MAX_QUERY_CHARS))).is_ok());
    }
}
