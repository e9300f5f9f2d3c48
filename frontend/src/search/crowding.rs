//! How crowded each candidate's neighbourhood in the window is.
//!
//! A catalog holds many near-identical products (one item in sizes,
//! colours, brands), and a query close to one of them is just as close to
//! all its siblings. A product with no sibling near the query is what a
//! shopper describing one specific thing is after, but its cosine alone
//! rarely stands out: a crowd of siblings somewhere else in the window is
//! about as close. The crowding of a candidate (the mean cosine to its most
//! similar other candidates) says how much of its match it shares; the
//! ranking's "distinct best match" step discounts a candidate's cosine by
//! it (ranking.rs, step 7).
//!
//! Computed on the window only (at most a few hundred vectors), so it needs
//! no index-time state and can never be stale.

use embedding::dot;

/// The mean cosine of each of `vectors` to its `neighbours` most similar
/// others (fewer when the window is smaller; 0 for a window of one). The
/// vectors are L2-normalised, so a dot product is their cosine.
pub(super) fn crowding(vectors: &[&[f32]], neighbours: usize) -> Vec<f32> {
    let n = vectors.len();
    let k = neighbours.min(n.saturating_sub(1));
    if k == 0 {
        return vec![0.0; n];
    }
    let mut similarity = vec![0.0_f32; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let s = dot(vectors[i], vectors[j]);
            similarity[i * n + j] = s;
            similarity[j * n + i] = s;
        }
    }
    let mut others = Vec::with_capacity(n - 1);
    (0..n)
        .map(|i| {
            others.clear();
            others.extend((0..n).filter(|&j| j != i).map(|j| similarity[i * n + j]));
            // The k largest end up in others[..k], in any order.
            others.select_nth_unstable_by(k - 1, |a, b| b.total_cmp(a));
            others[..k].iter().sum::<f32>() / k as f32
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(angle: f32) -> Vec<f32> {
        vec![angle.cos(), angle.sin()]
    }

    #[test]
    fn siblings_are_crowded_and_a_loner_is_not() {
        // Three near-identical vectors and one far from them.
        let vectors = [unit(0.0), unit(0.05), unit(0.1), unit(1.5)];
        let refs: Vec<&[f32]> = vectors.iter().map(Vec::as_slice).collect();
        let c = crowding(&refs, 2);
        assert!(c[0] > 0.99 && c[1] > 0.99 && c[2] > 0.99, "{c:?}");
        // The loner's two most similar others are the siblings: cos(1.4), cos(1.45).
        let expected = ((1.4_f32).cos() + (1.45_f32).cos()) / 2.0;
        assert!((c[3] - expected).abs() < 1e-5, "{c:?}");
    }

    #[test]
    fn small_windows_use_the_others_there_are() {
        let vectors = [unit(0.0), unit(0.5)];
        let refs: Vec<&[f32]> = vectors.iter().map(Vec::as_slice).collect();
        let c = crowding(&refs, 10);
        assert!((c[0] - (0.5_f32).cos()).abs() < 1e-6);
        assert_eq!(crowding(&refs[..1], 10), [0.0]);
        assert!(crowding(&[], 10).is_empty());
    }
}
