//! LayerNorm and the kernels that end in one: the token embeddings, and the
//! residual add after a projection. Rows are tokens; `h` is the hidden size.

use super::LANES;
use super::math::sum;

/// Normalises one row in place: `(x − mean) / √(var + eps) · γ + β`.
#[inline(always)]
fn layer_norm_row(x: &mut [f32], gamma: &[f32], beta: &[f32], eps: f32) {
    let n = x.len() as f32;
    let mean = sum(x) / n;
    // Two passes (mean, then squared deviations) like PyTorch: the row is in
    // L1 anyway, and it avoids the cancellation of E[x²] − E[x]².
    let (chunks, rest) = x.as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for c in chunks {
        for (a, &v) in acc.iter_mut().zip(c) {
            *a += (v - mean) * (v - mean);
        }
    }
    let var =
        (acc.iter().sum::<f32>() + rest.iter().map(|&v| (v - mean) * (v - mean)).sum::<f32>()) / n;
    let rstd = 1.0 / (var + eps).sqrt();
    for ((v, g), b) in x.iter_mut().zip(gamma).zip(beta) {
        *v = (*v - mean) * rstd * g + b;
    }
}

/// The embedding tables and their LayerNorm, as [`embed_tokens`] needs them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EmbeddingTables<'a> {
    /// `vocab × h`.
    pub word: &'a [f32],
    /// `max_positions × h`.
    pub position: &'a [f32],
    /// The token-type-0 row, `h`.
    pub type0: &'a [f32],
    pub gamma: &'a [f32],
    pub beta: &'a [f32],
    pub eps: f32,
}

multiversion! {
    /// Token embeddings: `x[row] = word[id] + position[pos] + type0`, then
    /// LayerNorm. `lens` gives each sequence's length; rows are packed.
    pub(crate) fn embed_tokens(x: &mut [f32], ids: &[u32], lens: &[usize], tables: &EmbeddingTables<'_>) {
        let h = tables.type0.len();
        let mut rows = x.chunks_exact_mut(h).zip(ids);
        for &len in lens {
            for (pos, (row, &id)) in rows.by_ref().take(len).enumerate() {
                let w = &tables.word[id as usize * h..][..h];
                let p = &tables.position[pos * h..][..h];
                for (((o, &w), &p), &t) in row.iter_mut().zip(w).zip(p).zip(tables.type0) {
                    *o = w + p + t;
                }
                layer_norm_row(row, tables.gamma, tables.beta, tables.eps);
            }
        }
    }
}

multiversion! {
    /// `x = LayerNorm(x + y + bias)` row by row: the residual add, the bias of
    /// the preceding matmul and the LayerNorm in one pass.
    pub(crate) fn bias_residual_layer_norm(
        x: &mut [f32],
        y: &[f32],
        bias: &[f32],
        gamma: &[f32],
        beta: &[f32],
        eps: f32,
    ) {
        let h = bias.len();
        for (xr, yr) in x.chunks_exact_mut(h).zip(y.chunks_exact(h)) {
            for ((xv, &yv), &b) in xr.iter_mut().zip(yr).zip(bias) {
                *xv += yv + b;
            }
            layer_norm_row(xr, gamma, beta, eps);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_support::{assert_close, both_levels, data};

    fn naive_layer_norm(x: &[f32], gamma: &[f32], beta: &[f32], eps: f64) -> Vec<f32> {
        let n = x.len() as f64;
        let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n;
        let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
        x.iter()
            .zip(gamma)
            .zip(beta)
            .map(|((&v, &g), &b)| {
                ((v as f64 - mean) / (var + eps).sqrt() * g as f64 + b as f64) as f32
            })
            .collect()
    }

    #[test]
    fn layer_norm_matches_naive() {
        both_levels(|| {
            let h = 384;
            let rows = 5;
            let mut x = data(rows * h, 3, 2.0);
            let y = data(rows * h, 4, 2.0);
            let bias = data(h, 5, 0.1);
            let gamma = data(h, 6, 1.0);
            let beta = data(h, 7, 0.1);
            let want: Vec<f32> = x
                .chunks(h)
                .zip(y.chunks(h))
                .flat_map(|(xr, yr)| {
                    let v: Vec<f32> = xr
                        .iter()
                        .zip(yr)
                        .zip(&bias)
                        .map(|((a, b), c)| a + b + c)
                        .collect();
                    naive_layer_norm(&v, &gamma, &beta, 1e-12)
                })
                .collect();
            bias_residual_layer_norm(&mut x, &y, &bias, &gamma, &beta, 1e-12);
            assert_close(&x, &want, 1e-5);
        });
    }

    #[test]
    fn embed_tokens_adds_tables_and_normalises() {
        both_levels(|| {
            let h = 32;
            let word = data(10 * h, 8, 1.0);
            let position = data(4 * h, 9, 1.0);
            let type0 = data(h, 10, 1.0);
            let gamma = vec![1.0; h];
            let beta = vec![0.0; h];
            let ids = [3u32, 7, 1, 2, 9];
            let lens = [3, 2];
            let mut x = vec![0.0; ids.len() * h];
            let tables = EmbeddingTables {
                word: &word,
                position: &position,
                type0: &type0,
                gamma: &gamma,
                beta: &beta,
                eps: 1e-12,
            };
            embed_tokens(&mut x, &ids, &lens, &tables);
            let positions = [0, 1, 2, 0, 1];
            for (r, (&id, &pos)) in ids.iter().zip(&positions).enumerate() {
                let sum: Vec<f32> = (0..h)
                    .map(|c| word[id as usize * h + c] + position[pos * h + c] + type0[c])
                    .collect();
                assert_close(
                    &x[r * h..(r + 1) * h],
                    &naive_layer_norm(&sum, &gamma, &beta, 1e-12),
                    1e-5,
                );
            }
        });
    }
}
