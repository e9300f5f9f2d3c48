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
//! 3. **Small categories are protected from the vote**: a product whose
//!    category has fewer than `protect_below` candidates with a vector in
//!    the window (or that has no category) never ends below its cosine rank
//!    in the semantic list; the others keep their voted order. The vote
//!    exists to let a crowded kind win over look-alikes, and a lone product
//!    can never win a vote however well it matches: without this, a
//!    one-of-a-kind product a shopper describes exactly would be buried
//!    under a crowded category.
//! 4. **Fusion** with full-text matches by reciprocal rank fusion:
//!    `1/(rrf_k + semantic rank) + lexical_weight/(rrf_k + lexical rank)`.
//!    Full text needs every query word, so semantic queries mostly have no
//!    lexical matches and keep their semantic order.
//! 5. **Diversified band**: after the first `diverse_after` results, the
//!    next `diverse_slots` places go to the best result of each category
//!    not shown yet (in fused order); then the rest in fused order. The
//!    vote concentrates the head on one kind of product; when the query was
//!    about another kind, the band still shows it on the first page.
//! 6. **A clear best match is pinned**: when the best cosine of the window
//!    leads the second best by at least `pin_margin` (0.05), that product
//!    moves up to place `pin_rank` (1), after any exact SKU or name match.
//!    So a product that matches the query clearly better than anything
//!    else is always on the first page, first unless exact matches come
//!    before it (then in the top 3 unless three exact matches exist).
//! 7. **A distinct best match is pinned**: each candidate's *distinct
//!    score* is the cosine of the query as typed (without the template)
//!    less `crowding_weight` × its crowding, the mean cosine to its
//!    `crowding_neighbours` most similar other candidates (crowding.rs).
//!    When the best distinct score leads the second by at least
//!    `distinct_margin` (0.1), that product moves up to place 1, after any
//!    exact match (and ahead of step 6's product). A product with many
//!    near-identical siblings shares its match with all of them; one with
//!    none that still matches well is the one specific thing a shopper
//!    described, and the vote (a crowd's tool) would otherwise bury it.
//!
//! Steps 3, 6 and 7 were chosen on item-level relevance (known-item
//! queries and singleton-category products in the 10 000-product catalog),
//! on two query halves, without losing a category query
//! (docs/search-quality.md; the lab's reference is `eval/lab/`).
//!
//! The query is embedded twice in one model call: as
//! [`RankingWeights::query_template`] with `{q}` replaced by the query (a
//! short neutral frame that tells the model a product is sought; the
//! window, the vote and steps 2–6 use it), and as typed (step 7: the
//! frame pulls every query toward generic product text, which helps to
//! find the right kind of product and hurts finding one item).
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
    /// A category with fewer candidates than this in the window is
    /// protected from the vote (0 = nothing is protected).
    pub protect_below: usize,
    /// The best cosine's lead over the second best that pins it.
    pub pin_margin: f32,
    /// The 1-based place a clear best match is moved up to.
    pub pin_rank: usize,
    /// Step 7: how many of a candidate's most similar other candidates
    /// its crowding averages over.
    pub crowding_neighbours: usize,
    /// Step 7: the weight of the crowding in the distinct score.
    pub crowding_weight: f32,
    /// Step 7: the best distinct score's lead over the second that pins it
    /// first (infinity = off).
    pub distinct_margin: f32,
    /// The text embedded for a query; `{q}` is replaced by the query.
    pub query_template: String,
}

impl Default for RankingWeights {
    /// Chosen with `make eval` and the offline lab (`eval/lab/`), with the
    /// queries split in two halves (docs/search-quality.md).
    fn default() -> Self {
        Self {
            category_votes: 30,
            category_temperature: 0.05,
            category_weight: 1.5,
            lexical_weight: 1.0,
            rrf_k: 60.0,
            diverse_after: 5,
            diverse_slots: 5,
            protect_below: 5,
            pin_margin: 0.05,
            pin_rank: 1,
            crowding_neighbours: 10,
            crowding_weight: 0.7,
            distinct_margin: 0.1,
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
    /// Step 7's score (cosine of the query as typed − weighted crowding);
    /// `None` without a vector.
    pub distinct: Option<f32>,
}

/// `candidates` (one per product) best first.
pub(super) fn order(mut candidates: Vec<Candidate>, weights: &RankingWeights) -> Vec<Candidate> {
    // Candidates with a vector, best cosine first (indices into `candidates`).
    let mut by_cosine: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].cosine.is_some())
        .collect();
    by_cosine.sort_by(|&a, &b| tie_break(&candidates[a], &candidates[b]));
    let best = clear_leader(
        candidates
            .iter()
            .filter_map(|c| Some((c.cosine?, c.product_id))),
        weights.pin_margin,
    );
    let distinct = clear_leader(
        candidates
            .iter()
            .filter_map(|c| Some((c.distinct?, c.product_id))),
        weights.distinct_margin,
    );

    let shares = category_shares(&candidates, &by_cosine, weights);
    let semantic = |c: &Candidate| {
        let share = c
            .category
            .as_deref()
            .and_then(|k| shares.get(k))
            .copied()
            .unwrap_or(0.0);
        c.cosine.unwrap_or(f32::NEG_INFINITY) + weights.category_weight * share
    };
    let mut by_semantic = by_cosine.clone();
    by_semantic.sort_by(|&a, &b| {
        semantic(&candidates[b])
            .total_cmp(&semantic(&candidates[a]))
            .then_with(|| tie_break(&candidates[a], &candidates[b]))
    });
    let by_semantic = protect_small_categories(&candidates, &by_cosine, by_semantic, weights);

    let mut fused = vec![0.0_f32; candidates.len()];
    for (rank, &i) in by_semantic.iter().enumerate() {
        fused[i] += 1.0 / (weights.rrf_k + rank as f32 + 1.0);
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
    let mut ordered = diversify(ordered, weights.diverse_after, weights.diverse_slots);
    if let Some(product_id) = best {
        ordered = pin(ordered, product_id, weights.pin_rank);
    }
    if let Some(product_id) = distinct {
        ordered = pin(ordered, product_id, 1);
    }
    ordered
}

/// Step 3: walk the places 0, 1, 2, …: place `i` takes the candidate of
/// cosine rank `i` when it is protected and not placed yet, else the next
/// candidate of the voted list not placed yet. A protected candidate ends
/// no lower than its cosine rank; the others keep their voted order.
fn protect_small_categories(
    candidates: &[Candidate],
    by_cosine: &[usize],
    by_semantic: Vec<usize>,
    weights: &RankingWeights,
) -> Vec<usize> {
    let mut sizes: HashMap<Option<&str>, usize> = HashMap::new();
    for &i in by_cosine {
        *sizes.entry(candidates[i].category.as_deref()).or_default() += 1;
    }
    let protected = |i: usize| match candidates[i].category.as_deref() {
        None => true,
        category => sizes.get(&category).copied().unwrap_or(0) < weights.protect_below,
    };
    if !by_cosine.iter().any(|&i| protected(i)) {
        return by_semantic;
    }
    let mut placed = vec![false; candidates.len()];
    let mut out = Vec::with_capacity(by_semantic.len());
    let mut next = by_semantic.iter().copied();
    for &at_cosine_rank in by_cosine {
        let chosen = if protected(at_cosine_rank) && !placed[at_cosine_rank] {
            at_cosine_rank
        } else {
            // Both lists hold every candidate once, so the voted list has
            // an unplaced candidate for every place left.
            match next.find(|&i| !placed[i]) {
                Some(i) => i,
                None => break,
            }
        };
        placed[chosen] = true;
        out.push(chosen);
    }
    out
}

/// Steps 6 and 7: the product whose score leads every other's by at least
/// `margin` (or the only one scored), if any. Equal scores go to the lower
/// id, so the answer does not depend on the window's order.
fn clear_leader(scores: impl IntoIterator<Item = (f32, i64)>, margin: f32) -> Option<i64> {
    let mut best: Option<(f32, i64)> = None;
    let mut second = f32::NEG_INFINITY;
    for (score, product_id) in scores {
        match best {
            Some((top, top_id)) if top.total_cmp(&score).then(product_id.cmp(&top_id)).is_gt() => {
                second = second.max(score);
            }
            Some((top, _)) => {
                second = top;
                best = Some((score, product_id));
            }
            None => best = Some((score, product_id)),
        }
    }
    // Alone, the lead is infinite: best − (−∞).
    let (top, product_id) = best?;
    (top - second >= margin).then_some(product_id)
}

/// Move `product_id` up to the 1-based place `rank`, but never above an
/// exact SKU or name match; nothing else changes order.
fn pin(mut ordered: Vec<Candidate>, product_id: i64, rank: usize) -> Vec<Candidate> {
    let exact = ordered.iter().filter(|c| exact_tier(c) < 2).count();
    let target = rank.saturating_sub(1).max(exact);
    if let Some(at) = ordered.iter().position(|c| c.product_id == product_id)
        && at > target
    {
        let best = ordered.remove(at);
        ordered.insert(target, best);
    }
    ordered
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
    by_cosine: &[usize],
    weights: &RankingWeights,
) -> HashMap<&'a str, f32> {
    let nearest: Vec<&Candidate> = by_cosine
        .iter()
        .take(weights.category_votes)
        .map(|&i| &candidates[i])
        .collect();
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
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// The vote alone: no band, no protection, no pin.
    fn weights() -> RankingWeights {
        RankingWeights {
            category_weight: 1.0,
            diverse_slots: 0,
            protect_below: 0,
            pin_margin: f32::INFINITY,
            distinct_margin: f32::INFINITY,
            ..RankingWeights::default()
        }
    }

    fn candidate(id: i64, category: &str, cosine: Option<f32>) -> Candidate {
        Candidate {
            product_id: id,
            category: Some(category.into()),
            cosine,
            lexical: None,
            distinct: None,
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

    /// A crowded category and one lone product just below its best match.
    fn crowded_window() -> Vec<Candidate> {
        let mut window: Vec<Candidate> = (1..=8)
            .map(|i| candidate(i, "crowd", Some(0.60 - 0.01 * i as f32)))
            .collect();
        window.push(candidate(100, "lone", Some(0.575)));
        window
    }

    #[test]
    fn a_product_of_a_small_category_is_never_voted_below_its_cosine_rank() {
        // The vote alone buries the lone product under the whole crowd.
        assert_eq!(ids(&order(crowded_window(), &weights()))[8], 100);
        let protect = RankingWeights {
            protect_below: 5,
            ..weights()
        };
        // Cosine rank 3 (0.59, 0.58, 0.575): it keeps place 3, the crowd
        // keeps its voted order around it.
        assert_eq!(
            ids(&order(crowded_window(), &protect)),
            [1, 2, 100, 3, 4, 5, 6, 7, 8]
        );
        // A category with enough candidates is not protected.
        let protect_none = RankingWeights {
            protect_below: 1,
            ..weights()
        };
        assert_eq!(ids(&order(crowded_window(), &protect_none))[8], 100);
    }

    #[test]
    fn a_clear_best_match_is_pinned_first_after_exact_matches() {
        let pinned = RankingWeights {
            pin_margin: 0.05,
            pin_rank: 1,
            ..weights()
        };
        let mut window = crowded_window();
        window.push(candidate(200, "lone", Some(0.70)));
        let ranked = ids(&order(window.clone(), &pinned));
        assert_eq!(ranked[0], 200, "{ranked:?}");
        // A lead below the margin pins nothing.
        window.last_mut().unwrap().cosine = Some(0.62);
        assert_ne!(ids(&order(window.clone(), &pinned))[0], 200);
        // An exact SKU match stays ahead of the pinned product.
        window.last_mut().unwrap().cosine = Some(0.70);
        window[4].lexical = Some((0, Exactness::Sku));
        assert_eq!(ids(&order(window, &pinned))[..2], [5, 200]);
    }

    #[test]
    fn the_defaults_put_a_described_singleton_first_in_a_crowded_window() {
        // Thirty products of one category around 0.45–0.55 and the one
        // product the shopper described at 0.70, alone in its category.
        let mut window: Vec<Candidate> = (1..=30)
            .map(|i| candidate(i, "outdoor", Some(0.55 - 0.003 * i as f32)))
            .collect();
        window.push(candidate(99, "toys", Some(0.70)));
        assert_eq!(
            ids(&order(window.clone(), &RankingWeights::default()))[0],
            99
        );
        // Even at a small lead, protection keeps it at its cosine rank.
        window.last_mut().unwrap().cosine = Some(0.56);
        assert_eq!(ids(&order(window, &RankingWeights::default()))[0], 99);
    }

    #[test]
    fn a_distinct_best_match_is_pinned_first_after_exact_matches() {
        let distinct = RankingWeights {
            distinct_margin: 0.1,
            ..weights()
        };
        // The crowd voted first; product 100 has the best distinct score by
        // a clear lead.
        let mut window = crowded_window();
        for c in &mut window {
            c.distinct = Some(if c.product_id == 100 { 0.30 } else { 0.15 });
        }
        assert_eq!(ids(&order(window.clone(), &weights()))[8], 100);
        assert_eq!(ids(&order(window.clone(), &distinct))[0], 100);
        // A lead below the margin pins nothing.
        window.last_mut().unwrap().distinct = Some(0.24);
        assert_eq!(ids(&order(window.clone(), &distinct))[8], 100);
        // An exact name match stays ahead of it; it comes ahead of step 6's
        // clear best cosine.
        window.last_mut().unwrap().distinct = Some(0.30);
        window[7].lexical = Some((0, Exactness::Name));
        let mut best_cosine = candidate(200, "other", Some(0.9));
        best_cosine.distinct = Some(0.1);
        window.push(best_cosine);
        let both = RankingWeights {
            pin_margin: 0.05,
            ..distinct
        };
        assert_eq!(ids(&order(window, &both))[..3], [8, 100, 200]);
    }

    #[test]
    fn the_distinct_pick_ignores_window_order_and_products_without_a_vector() {
        let distinct = RankingWeights {
            distinct_margin: 0.1,
            ..weights()
        };
        let mut window: Vec<Candidate> = (1..=4)
            .map(|i| {
                let mut c = candidate(i, "a", Some(0.5));
                c.distinct = Some(0.2);
                c
            })
            .collect();
        // A tie at the top pins nothing.
        window[2].distinct = Some(0.4);
        window[3].distinct = Some(0.4);
        assert_eq!(ids(&order(window.clone(), &distinct)), [1, 2, 3, 4]);
        // Alone at the top it is pinned, wherever it sits in the window.
        window[3].distinct = None;
        window.reverse();
        assert_eq!(ids(&order(window, &distinct))[0], 3);
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
