//! Ordering a candidate window: pure functions, no I/O.
//!
//! 1. **Exact lookups first**: a product whose SKU, then one whose name, is
//!    the query.
//! 2. **Semantic score** = cosine similarity + `category_weight` × the share
//!    of the category among the best vector matches ("category vote"): the
//!    `category_votes` nearest products each vote for their category with
//!    weight `exp((cosine − best cosine) / category_temperature)`. A shopper
//!    query lands near a few products of the right kind and near scattered
//!    look-alikes of other kinds; the vote lets the kind that dominates the
//!    neighbourhood lift its other products above isolated look-alikes.
//! 3. **Fusion** with full-text matches by reciprocal rank fusion:
//!    `1/(rrf_k + semantic rank) + lexical_weight/(rrf_k + lexical rank)`.
//!    Full text needs every query word, so semantic queries mostly have no
//!    lexical matches and keep their semantic order.
//! 4. **Diversified band**: after the first `diverse_after` results, the
//!    next `diverse_slots` places go to the best result of each category
//!    not shown yet (in fused order); then the rest in fused order. The
//!    vote concentrates the head on one kind of product; when the query was
//!    about another kind, the band still shows it on the first page.
//!
//! The query is embedded as [`RankingWeights::query_template`] with `{q}`
//! replaced by the query: a short neutral frame that tells the model a
//! product is sought (see README, "Search quality").
//!
//! Ties fall to the higher cosine, then the lower product id, so the same
//! window always comes out in the same order.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use super::lexical::Exactness;

/// The knobs of [`order`] (see the module documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct RankingWeights {
    pub category_votes: usize,
    pub category_temperature: f32,
    pub category_weight: f32,
    pub lexical_weight: f32,
    pub rrf_k: f32,
    pub diverse_after: usize,
    pub diverse_slots: usize,
    /// The text embedded for a query; `{q}` is replaced by the query.
    pub query_template: String,
}

impl Default for RankingWeights {
    /// Chosen with `make eval` and the offline lab (`eval/lab/`), with the
    /// queries split in two halves (README, "Search quality").
    fn default() -> Self {
        Self {
            category_votes: 30,
            category_temperature: 0.05,
            category_weight: 1.5,
            lexical_weight: 1.0,
            rrf_k: 60.0,
            diverse_after: 5,
            diverse_slots: 5,
            query_template: "{q} (looking for a product)".into(),
        }
    }
}

impl RankingWeights {
    /// The text to embed for `query` (see [`RankingWeights::query_template`]).
    pub fn embedding_text(&self, query: &str) -> String {
        if self.query_template.contains("{q}") {
            self.query_template.replace("{q}", query)
        } else {
            query.to_owned()
        }
    }
}

/// A product of the window and what each signal said about it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Candidate {
    pub product_id: i64,
    pub category: Option<String>,
    /// Cosine similarity to the query; `None` when the product has no
    /// vector yet (created but not indexed).
    pub cosine: Option<f32>,
    /// Position in the lexical ranking (0 = best) and how it matched.
    pub lexical: Option<(usize, Exactness)>,
}

/// `candidates` (one per product) best first.
pub(super) fn order(mut candidates: Vec<Candidate>, weights: &RankingWeights) -> Vec<Candidate> {
    let shares = category_shares(&candidates, weights);
    let semantic = |c: &Candidate| {
        c.cosine.map(|cosine| {
            let share = c
                .category
                .as_deref()
                .and_then(|k| shares.get(k))
                .copied()
                .unwrap_or(0.0);
            cosine + weights.category_weight * share
        })
    };
    // Semantic ranks, over the candidates that have a vector.
    let mut by_semantic: Vec<(usize, f32)> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| semantic(c).map(|s| (i, s)))
        .collect();
    by_semantic.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| tie_break(&candidates[a.0], &candidates[b.0]))
    });
    let mut fused = vec![0.0_f32; candidates.len()];
    for (rank, (i, _)) in by_semantic.iter().enumerate() {
        fused[*i] += 1.0 / (weights.rrf_k + rank as f32 + 1.0);
    }
    for (i, c) in candidates.iter().enumerate() {
        if let Some((rank, _)) = c.lexical {
            fused[i] += weights.lexical_weight / (weights.rrf_k + rank as f32 + 1.0);
        }
    }
    let mut keyed: Vec<(Candidate, f32)> = candidates.drain(..).zip(fused).collect();
    keyed.sort_by(|(a, fa), (b, fb)| {
        exact_tier(a)
            .cmp(&exact_tier(b))
            .then_with(|| fb.total_cmp(fa))
            .then_with(|| tie_break(a, b))
    });
    let ordered: Vec<Candidate> = keyed.into_iter().map(|(c, _)| c).collect();
    diversify(ordered, weights.diverse_after, weights.diverse_slots)
}

/// Keeps the first `after` candidates, then gives the next `slots` places
/// to the first candidate of each category not seen yet, then the rest in
/// their order. Candidates without a category never take a band place.
fn diversify(ordered: Vec<Candidate>, after: usize, slots: usize) -> Vec<Candidate> {
    if slots == 0 || ordered.len() <= after {
        return ordered;
    }
    let mut seen: HashSet<String> = ordered
        .iter()
        .take(after)
        .filter_map(|c| c.category.clone())
        .collect();
    let mut band = Vec::with_capacity(slots);
    for (i, c) in ordered.iter().enumerate().skip(after) {
        if band.len() == slots {
            break;
        }
        if let Some(category) = &c.category
            && seen.insert(category.clone())
        {
            band.push(i);
        }
    }
    let mut out = Vec::with_capacity(ordered.len());
    let mut rest = Vec::with_capacity(ordered.len());
    let mut in_band = vec![false; ordered.len()];
    band.iter().for_each(|&i| in_band[i] = true);
    let mut band_items = Vec::with_capacity(band.len());
    for (i, c) in ordered.into_iter().enumerate() {
        if i < after {
            out.push(c);
        } else if in_band[i] {
            band_items.push(c);
        } else {
            rest.push(c);
        }
    }
    out.extend(band_items);
    out.extend(rest);
    out
}

/// 0 = SKU match, 1 = name match, 2 = the rest.
fn exact_tier(c: &Candidate) -> u8 {
    match c.lexical {
        Some((_, Exactness::Sku)) => 0,
        Some((_, Exactness::Name)) => 1,
        _ => 2,
    }
}

/// Higher cosine first (a product without a vector last), then lower id.
fn tie_break(a: &Candidate, b: &Candidate) -> Ordering {
    let cosine = |c: &Candidate| c.cosine.unwrap_or(f32::NEG_INFINITY);
    cosine(b)
        .total_cmp(&cosine(a))
        .then(a.product_id.cmp(&b.product_id))
}

/// Each category's share (0…1) of the softmax-weighted votes of the
/// `category_votes` nearest candidates.
fn category_shares<'a>(
    candidates: &'a [Candidate],
    weights: &RankingWeights,
) -> HashMap<&'a str, f32> {
    let mut nearest: Vec<&Candidate> = candidates.iter().filter(|c| c.cosine.is_some()).collect();
    nearest.sort_by(|a, b| tie_break(a, b));
    nearest.truncate(weights.category_votes);
    let mut shares: HashMap<&str, f32> = HashMap::new();
    let Some(best) = nearest.first().and_then(|c| c.cosine) else {
        return shares;
    };
    let temperature = weights.category_temperature.max(f32::EPSILON);
    let mut total = 0.0;
    for c in &nearest {
        let vote = ((c.cosine.unwrap_or(best) - best) / temperature).exp();
        total += vote;
        if let Some(category) = c.category.as_deref() {
            *shares.entry(category).or_default() += vote;
        }
    }
    if total > 0.0 {
        shares.values_mut().for_each(|s| *s /= total);
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights() -> RankingWeights {
        RankingWeights {
            category_weight: 1.0,
            diverse_slots: 0,
            ..RankingWeights::default()
        }
    }

    fn candidate(id: i64, category: &str, cosine: Option<f32>) -> Candidate {
        Candidate {
            product_id: id,
            category: Some(category.into()),
            cosine,
            lexical: None,
        }
    }

    fn ids(ranked: &[Candidate]) -> Vec<i64> {
        ranked.iter().map(|c| c.product_id).collect()
    }

    #[test]
    fn without_other_signals_the_order_is_by_cosine_then_id() {
        let no_vote = RankingWeights {
            category_weight: 0.0,
            ..weights()
        };
        let window = vec![
            candidate(3, "a", Some(0.5)),
            candidate(1, "b", Some(0.9)),
            candidate(2, "c", Some(0.5)),
            candidate(4, "d", None),
        ];
        assert_eq!(ids(&order(window, &no_vote)), [1, 2, 3, 4]);
    }

    #[test]
    fn the_dominant_category_lifts_its_products_above_a_lone_look_alike() {
        let window = vec![
            candidate(1, "beach", Some(0.60)),
            candidate(2, "kitchen", Some(0.58)),
            candidate(3, "kitchen", Some(0.57)),
            candidate(4, "kitchen", Some(0.56)),
            candidate(5, "garden", Some(0.30)),
        ];
        assert_eq!(ids(&order(window, &weights())), [2, 3, 4, 1, 5]);
    }

    #[test]
    fn exact_matches_come_first_and_full_text_fuses() {
        let mut sku = candidate(9, "x", Some(0.1));
        sku.lexical = Some((0, Exactness::Sku));
        let mut name = candidate(8, "x", None);
        name.lexical = Some((1, Exactness::Name));
        let mut words = candidate(7, "y", Some(0.40));
        words.lexical = Some((2, Exactness::Words));
        let window = vec![
            candidate(1, "y", Some(0.41)),
            words,
            name,
            sku,
            candidate(2, "y", Some(0.39)),
        ];
        // 7 is second semantically and first in full text: it overtakes 1.
        assert_eq!(ids(&order(window, &weights())), [9, 8, 7, 1, 2]);
    }

    #[test]
    fn the_band_after_the_head_shows_one_product_of_each_other_category() {
        let banded = RankingWeights {
            category_weight: 0.0,
            diverse_after: 2,
            diverse_slots: 2,
            ..weights()
        };
        let window = vec![
            candidate(1, "a", Some(0.9)),
            candidate(2, "a", Some(0.8)),
            candidate(3, "a", Some(0.7)),
            candidate(4, "b", Some(0.6)),
            candidate(5, "b", Some(0.5)),
            candidate(6, "c", Some(0.4)),
            candidate(7, "d", Some(0.3)),
        ];
        assert_eq!(ids(&order(window, &banded)), [1, 2, 4, 6, 3, 5, 7]);
    }

    #[test]
    fn the_query_template_frames_the_query() {
        let w = RankingWeights::default();
        assert_eq!(
            w.embedding_text("warm feet"),
            "warm feet (looking for a product)"
        );
        let plain = RankingWeights {
            query_template: String::new(),
            ..w
        };
        assert_eq!(plain.embedding_text("warm feet"), "warm feet");
    }
}
