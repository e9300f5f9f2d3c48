//! Product descriptions: 15–80 words composed from sentence templates.

use crate::name::Choice;
use crate::rng::Rng;
use crate::vocabulary::{Category, ProductType};

/// Descriptions are kept within these bounds (inclusive) so that embeddings
/// see enough text to be meaningful without any product dominating.
pub(crate) const MIN_WORDS: usize = 15;
pub(crate) const MAX_WORDS: usize = 80;

/// Nouns like "running shoes" or "pruning shears" need "they"/"these" and
/// plural verbs. Every such noun in the vocabulary ends in a single "s"
/// ("French press" and "dog harness" end in "ss" and stay singular).
fn is_plural(noun: &str) -> bool {
    noun.ends_with('s') && !noun.ends_with("ss")
}

/// Turns a third-person-singular verb phrase into its plural form by fixing
/// the first verb ("keeps feet dry" → "keep feet dry"). The vocabulary is
/// written so only the first word is a verb that needs agreement.
pub(crate) fn agree(phrase: &str, plural: bool) -> String {
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
pub(crate) fn describe(
    rng: &mut Rng,
    category: &Category,
    kind: &ProductType,
    choice: &Choice,
) -> String {
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

pub(crate) fn with_article(noun: &str, plural: bool) -> String {
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
