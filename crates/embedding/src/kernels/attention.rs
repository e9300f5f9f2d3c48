//! Multi-head self-attention over one packed batch, softmax included.

use super::LANES;
use super::math::{exp, fma, max, sum};

/// Queries attended together: each key or value vector loaded is used this
/// many times, which is what makes attention compute-bound rather than
/// load-bound. (8 does not fit LLVM's unrolling budget and goes scalar.)
const QUERY_BLOCK: usize = 4;

/// Scratch space for [`attention`], kept across calls to avoid reallocating.
/// Holds one sequence rearranged head by head, so that the inner loops read
/// contiguous, L1-resident memory instead of 128-byte pieces of rows 4.6 KB
/// apart.
#[derive(Debug, Default)]
pub(crate) struct AttentionScratch {
    /// Queries with their bias: `heads × len × d`.
    queries: Vec<f32>,
    /// Keys transposed: `h` rows (features, head by head) of `padded`
    /// (tokens, zero beyond `len`).
    keys_t: Vec<f32>,
    /// Values: `heads × len × d`.
    values: Vec<f32>,
    /// Scores, then probabilities, of one block of queries against every
    /// key of their sequence: `QUERY_BLOCK` rows of `padded`.
    scores: Vec<f32>,
}

multiversion! {
    /// Multi-head self-attention over packed sequences.
    ///
    /// `qkv` holds, per token, the un-biased Q (pre-scaled by 1/√d), K and V
    /// projections side by side (`3·h` wide); `ctx` receives, per token, the
    /// concatenated heads (`h` wide). Tokens attend only to tokens of their
    /// own sequence, which is exactly what the padding mask achieves in a
    /// padded batch, without computing the padded part. The head size must
    /// be a multiple of [`LANES`] (checked when the model is loaded).
    ///
    /// Biases: Q's is added here; K's is dropped, because it adds the same
    /// `q·b_k` to every score of a query and softmax cancels it; V's is added
    /// to the output once, since the probabilities sum to 1.
    pub(crate) fn attention(
        qkv: &[f32],
        ctx: &mut [f32],
        lens: &[usize],
        heads: usize,
        q_bias: &[f32],
        v_bias: &[f32],
        scratch: &mut AttentionScratch,
    ) {
        let h = q_bias.len();
        let d = h / heads;
        let mut row0 = 0;
        for &len in lens {
            // Keys are padded to whole vectors; the padding keys are zero
            // and their probabilities are forced to zero.
            let padded = len.div_ceil(LANES) * LANES;
            let rows = &qkv[row0 * 3 * h..(row0 + len) * 3 * h];
            split_heads(rows, len, padded, heads, q_bias, scratch);
            scratch.scores.resize(QUERY_BLOCK * padded, 0.0);
            let out = &mut ctx[row0 * h..(row0 + len) * h];
            for head in 0..heads {
                let seq = Head {
                    queries: &scratch.queries[head * len * d..(head + 1) * len * d],
                    keys_t: &scratch.keys_t[head * d * padded..(head + 1) * d * padded],
                    values: &scratch.values[head * len * d..(head + 1) * len * d],
                    len,
                    padded,
                    d,
                };
                let v_bias = &v_bias[head * d..(head + 1) * d];
                let mut first = 0;
                while first + QUERY_BLOCK <= len {
                    attend::<QUERY_BLOCK>(&seq, first, v_bias, &mut scratch.scores, out, h, head);
                    first += QUERY_BLOCK;
                }
                for first in first..len {
                    attend::<1>(&seq, first, v_bias, &mut scratch.scores, out, h, head);
                }
            }
            row0 += len;
        }
    }
}

/// Rearranges one sequence's Q|K|V rows (`len × 3h`) head by head into
/// `scratch`: queries (plus bias) and values as `heads × len × d`, keys
/// transposed as `h × padded`. The transpose goes in 16 × 16 blocks, whose
/// 16 source and 16 destination cache lines stay in L1.
#[inline(always)]
fn split_heads(
    rows: &[f32],
    len: usize,
    padded: usize,
    heads: usize,
    q_bias: &[f32],
    scratch: &mut AttentionScratch,
) {
    let h = q_bias.len();
    let d = h / heads;
    scratch.queries.resize(len * h, 0.0);
    scratch.values.resize(len * h, 0.0);
    scratch.keys_t.resize(h * padded, 0.0);
    for (j, row) in rows.chunks_exact(3 * h).enumerate() {
        for head in 0..heads {
            let dst = head * len * d + j * d;
            let q = &row[head * d..][..d];
            let b = &q_bias[head * d..][..d];
            for ((o, &x), &bv) in scratch.queries[dst..dst + d].iter_mut().zip(q).zip(b) {
                *o = x + bv;
            }
            scratch.values[dst..dst + d].copy_from_slice(&row[2 * h + head * d..][..d]);
        }
    }
    let keys_t = &mut scratch.keys_t;
    for j0 in (0..len).step_by(LANES) {
        let tokens = (len - j0).min(LANES);
        for c0 in (0..h).step_by(LANES) {
            for jj in 0..tokens {
                let src = &rows[(j0 + jj) * 3 * h + h + c0..][..LANES];
                for (cc, &v) in src.iter().enumerate() {
                    keys_t[(c0 + cc) * padded + j0 + jj] = v;
                }
            }
        }
    }
    for row in keys_t.chunks_exact_mut(padded) {
        row[len..].fill(0.0);
    }
}

/// One head of one sequence, as [`attend`] reads it.
struct Head<'a> {
    /// `len × d`, biased.
    queries: &'a [f32],
    /// `d × padded`.
    keys_t: &'a [f32],
    /// `len × d`.
    values: &'a [f32],
    len: usize,
    padded: usize,
    d: usize,
}

/// Attention of `B` consecutive queries (`first..first + B`) of one head,
/// written to columns `head·d..` of their rows in `out` (`len × h`). All
/// offsets are multiples of [`LANES`], so vectors are taken as whole
/// `[f32; LANES]` chunks and the accumulators stay in registers.
#[inline(always)]
fn attend<const B: usize>(
    seq: &Head<'_>,
    first: usize,
    v_bias: &[f32],
    scores: &mut [f32],
    out: &mut [f32],
    h: usize,
    head: usize,
) {
    let Head {
        queries,
        keys_t,
        values,
        len,
        padded,
        d,
    } = *seq;
    let key_chunks = padded / LANES;
    let queries = &queries[first * d..(first + B) * d];

    // scores[b][j] = Σ_c q_b[c]·K[j][c], 16 keys at a time: broadcast q_b[c]
    // times row c of Kᵀ, so no horizontal sums.
    let keys_t = keys_t.as_chunks::<LANES>().0;
    let scores = &mut scores[..B * padded];
    for kc in 0..key_chunks {
        let mut acc = [[0.0f32; LANES]; B];
        for c in 0..d {
            let k = &keys_t[c * key_chunks + kc];
            for (b, a) in acc.iter_mut().enumerate() {
                let q = queries[b * d + c];
                for (av, &kv) in a.iter_mut().zip(k) {
                    *av = fma(q, kv, *av);
                }
            }
        }
        for (b, a) in acc.iter().enumerate() {
            scores[b * padded + kc * LANES..][..LANES].copy_from_slice(a);
        }
    }

    // Softmax over the `len` real keys of each row.
    let mut inv_sum = [0.0f32; B];
    for (row, inv) in scores.chunks_exact_mut(padded).zip(&mut inv_sum) {
        let m = max(&row[..len]);
        for v in row.iter_mut() {
            *v = exp(*v - m);
        }
        row[len..].fill(0.0);
        *inv = 1.0 / sum(row);
    }

    // out_b = Σ_j p_b[j]·V[j], 16 dims at a time, normalised and biased once.
    let values = values.as_chunks::<LANES>().0;
    let d_chunks = d / LANES;
    let out_chunks = out.as_chunks_mut::<LANES>().0;
    let bias_chunks = v_bias.as_chunks::<LANES>().0;
    for (oc, bias) in bias_chunks.iter().enumerate() {
        let mut acc = [[0.0f32; LANES]; B];
        for j in 0..len {
            let v = &values[j * d_chunks + oc];
            for (b, a) in acc.iter_mut().enumerate() {
                let p = scores[b * padded + j];
                for (av, &vv) in a.iter_mut().zip(v) {
                    *av = fma(p, vv, *av);
                }
            }
        }
        for (b, a) in acc.iter().enumerate() {
            let o = &mut out_chunks[((first + b) * h + head * d) / LANES + oc];
            for ((ov, &av), &bv) in o.iter_mut().zip(a).zip(bias) {
                *ov = av * inv_sum[b] + bv;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::test_support::{assert_close, both_levels, data};

    /// Attention the textbook way: per sequence, per head, a padded batch
    /// of one with scale, all three biases, softmax, weighted sum.
    fn naive_attention(qkv: &[f32], lens: &[usize], heads: usize, bias: &[f32]) -> Vec<f32> {
        let h = bias.len() / 3;
        let d = h / heads;
        let total: usize = lens.iter().sum();
        let mut out = vec![0.0f32; total * h];
        let at = |row: usize, col: usize| qkv[row * 3 * h + col] as f64 + bias[col] as f64;
        let mut row0 = 0;
        for &len in lens {
            for head in 0..heads {
                for i in 0..len {
                    let scores: Vec<f64> = (0..len)
                        .map(|j| {
                            (0..d)
                                .map(|c| {
                                    at(row0 + i, head * d + c) * at(row0 + j, h + head * d + c)
                                })
                                .sum()
                        })
                        .collect();
                    let m = scores.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let e: Vec<f64> = scores.iter().map(|s| (s - m).exp()).collect();
                    let z: f64 = e.iter().sum();
                    for c in 0..d {
                        let v: f64 = (0..len)
                            .map(|j| e[j] / z * at(row0 + j, 2 * h + head * d + c))
                            .sum();
                        out[(row0 + i) * h + head * d + c] = v as f32;
                    }
                }
            }
            row0 += len;
        }
        out
    }

    #[test]
    fn attention_matches_naive_and_masks_other_sequences() {
        both_levels(|| {
            let heads = 4;
            let h = 4 * 32;
            // Lengths around the 16-lane padding boundaries.
            let lens = [1, 15, 16, 17, 40];
            let total: usize = lens.iter().sum();
            let qkv = data(total * 3 * h, 11, 1.0);
            let bias = data(3 * h, 12, 0.5);
            let mut ctx = vec![0.0; total * h];
            let mut scratch = AttentionScratch::default();
            attention(
                &qkv,
                &mut ctx,
                &lens,
                heads,
                &bias[..h],
                &bias[2 * h..],
                &mut scratch,
            );
            assert_close(&ctx, &naive_attention(&qkv, &lens, heads, &bias), 1e-5);
        });
    }
}
