//! The text embedded for a product. Indexing (emu) and anything that compares
//! a vector to a product's text (verify, the golden tests) use this one
//! function, so they can never drift apart.
//!
//! Composition: `"{name}. {category}. {description}"` (category omitted when
//! absent). The name carries the product type, the category gives every
//! product of a kind a shared anchor that shopper queries ("something for the
//! beach") land near, and the description adds uses and features. The model
//! reads at most 256 tokens, so a long description is cut by the tokenizer,
//! never the name.

pub fn compose(name: &str, category: Option<&str>, description: &str) -> String {
    let mut text = String::with_capacity(name.len() + description.len() + 32);
    push_sentence(&mut text, name);
    if let Some(category) = category {
        push_sentence(&mut text, category);
    }
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
            "Travel Mug. Kitchen. Keeps coffee hot."
        );
        assert_eq!(compose(" Mug ", None, ""), "Mug.");
        assert_eq!(compose("Wow!", Some(" "), "x"), "Wow! x.");
    }
}
