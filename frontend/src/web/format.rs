//! Turning values into text and links for the pages.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use rust_decimal::Decimal;

/// Characters left as they are in a path segment or query value.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// Shown length of a description in a result list.
const EXCERPT_CHARS: usize = 220;

/// `/products/{sku}`, with the SKU percent-encoded.
pub fn product_href(sku: &str) -> String {
    format!("/products/{}", utf8_percent_encode(sku, UNRESERVED))
}

pub fn edit_href(sku: &str) -> String {
    format!("{}/edit", product_href(sku))
}

/// `path?name=value&…` with empty values left out.
pub fn href_with_query(path: &str, params: &[(&str, &str)]) -> String {
    let query: Vec<String> = params
        .iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, value)| format!("{name}={}", utf8_percent_encode(value, UNRESERVED)))
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

pub fn price(price: Option<Decimal>) -> String {
    price.map_or_else(|| "no price".to_owned(), |p| format!("${:.2}", p))
}

/// The first words of `text`, cut at a word boundary.
pub fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT_CHARS {
        return text.to_owned();
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let at_word = cut
        .rfind(char::is_whitespace)
        .map_or(cut.as_str(), |i| &cut[..i]);
    format!(
        "{}…",
        at_word.trim_end_matches(|c: char| c.is_ascii_punctuation())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_texts() {
        assert_eq!(
            product_href("KIT-001/7F é"),
            "/products/KIT-001%2F7F%20%C3%A9"
        );
        assert_eq!(
            href_with_query("/", &[("q", "a&b"), ("category", ""), ("page", "2")]),
            "/?q=a%26b&page=2"
        );
        assert_eq!(price(Some(Decimal::new(5, 0))), "$5.00");
        assert_eq!(price(None), "no price");
        let long = "word ".repeat(100);
        let short = excerpt(&long);
        assert!(short.ends_with("word…") && short.chars().count() <= EXCERPT_CHARS + 1);
        assert_eq!(excerpt("short"), "short");
    }
}
