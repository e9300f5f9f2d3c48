//! The text embedded for a product. Indexing (emu) and anything that compares
//! a vector to a product's text (verify, the golden tests) use this one
//! function, so they can never drift apart.
//!
//! Composition: `"{category}: {name}. {description}"` (`"{name}.
//! {description}"` without a category). The name carries the product type,
//! the category gives every product of a kind a shared anchor that shopper
//! queries ("something for the beach") land near, and the description adds
//! uses and features. The category as a leading label measured best on
//! `make eval` (docs/search-quality.md: P@5 0.373 → 0.396 and MRR@10
//! 0.643 → 0.683 over `"{name}. {category}. {description}"`, dense only).
//! The model reads at most 256 tokens, so a long description is cut by the
//! tokenizer, never the name.

pub fn compose(name: &str, category: Option<&str>, description: &str) -> String {
    let mut text = String::with_capacity(name.len() + description.len() + 32);
    if let Some(category) = category.map(str::trim).filter(|c| !c.is_empty()) {
        text.push_str(category);
        text.push(':');
    }
    push_sentence(&mut text, name);
    push_sentence(&mut text, description);
    text
}

/// Append `part` as a sentence: trimmed, separated by a space, ending in a
/// full stop unless it already ends in punctuation.
fn push_sentence(text: &mut String, part: &str) {
    let part = part.trim();
    if part.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(part);
    if !part.ends_with(['.', '!', '?']) {
        text.push('.');
    }
}

#[cfg(test)]
mod tests {
    use super::compose;

    #[test]
    fn joins_fields_as_sentences() {
        assert_eq!(
            compose("Travel Mug", Some("Kitchen"), "Keeps coffee hot."),
            "Kitchen: Travel Mug. Keeps coffee hot."
        );
        assert_eq!(compose(" Mug ", None, ""), "Mug.");
        assert_eq!(compose("Wow!", Some(" "), "x"), "Wow! x.");
    }
}
