//! Sentence vectors from token rows: mean pooling, then L2 normalisation.

use super::LANES;

multiversion! {
    /// Mean of each sequence's token rows, L2-normalised, into `out`
    /// (`lens.len()` rows of `h`). Rows are packed, so there is no padding to
    /// mask: every row of a sequence counts.
    pub(crate) fn mean_pool_normalize(x: &[f32], lens: &[usize], h: usize, out: &mut [f32]) {
        let mut rows = x.chunks_exact(h);
        for (&len, o) in lens.iter().zip(out.chunks_exact_mut(h)) {
            o.fill(0.0);
            for row in rows.by_ref().take(len) {
                for (ov, &v) in o.iter_mut().zip(row) {
                    *ov += v;
                }
            }
            // Dividing by len does not change the direction, but keeps the
            // numbers the same as sentence-transformers' before normalising.
            let inv_len = 1.0 / len.max(1) as f32;
            let mut sq = [0.0f32; LANES];
            for c in o.as_chunks_mut::<LANES>().0 {
                for (s, v) in sq.iter_mut().zip(c.iter_mut()) {
                    *v *= inv_len;
                    *s += *v * *v;
                }
            }
            for v in o.as_chunks_mut::<LANES>().1 {
                *v *= inv_len;
                sq[0] += *v * *v;
            }
            // Same floor as torch.nn.functional.normalize.
            let inv_norm = 1.0 / sq.iter().sum::<f32>().sqrt().max(1e-12);
            for v in o.iter_mut() {
                *v *= inv_norm;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_support::{assert_close, both_levels, data};

    #[test]
    fn mean_pool_normalize_matches_naive() {
        both_levels(|| {
            let h = 384;
            let lens = [1, 5, 33];
            let total: usize = lens.iter().sum();
            let x = data(total * h, 13, 3.0);
            let mut out = vec![0.0; lens.len() * h];
            mean_pool_normalize(&x, &lens, h, &mut out);
            let mut row0 = 0;
            for (s, &len) in lens.iter().enumerate() {
                let mean: Vec<f64> = (0..h)
                    .map(|c| {
                        (0..len).map(|r| x[(row0 + r) * h + c] as f64).sum::<f64>() / len as f64
                    })
                    .collect();
                let norm = mean.iter().map(|v| v * v).sum::<f64>().sqrt();
                let want: Vec<f32> = mean.iter().map(|v| (v / norm) as f32).collect();
                assert_close(&out[s * h..(s + 1) * h], &want, 1e-6);
                row0 += len;
            }
        });
    }
}
