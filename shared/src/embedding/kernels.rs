//! The non-matmul work of the forward pass: fused element-wise ops,
//! attention over one packed batch, pooling, and the matmul wrapper.
//!
//! Everything here is plain Rust written so that LLVM vectorises it: fixed
//! 16-lane chunks, one accumulator per lane, no horizontal work in the inner
//! loops. We must not build with `target-cpu=native` (the hosts we deploy to
//! vary), so each kernel is compiled three times — AVX-512, AVX2+FMA and the
//! baseline — and the best one the running CPU supports is picked at run
//! time. Without that these loops would run as SSE2, and candle's experience
//! on this model says the non-matmul ops then eat a large share of the time.

use std::sync::OnceLock;

/// Vector width the kernels are written for: one AVX-512 register of f32.
pub(crate) const LANES: usize = 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SimdLevel {
    /// x86-64-v4: AVX-512 F/BW/DQ/VL.
    V4,
    /// x86-64-v3: AVX2 + FMA.
    V3,
    /// Whatever the target baseline is (SSE2 on x86-64, NEON on aarch64).
    Baseline,
}

pub(crate) fn simd_level() -> SimdLevel {
    #[cfg(test)]
    if tests::FORCE_BASELINE.with(|f| f.get()) {
        return SimdLevel::Baseline;
    }
    static LEVEL: OnceLock<SimdLevel> = OnceLock::new();
    *LEVEL.get_or_init(detect)
}

fn detect() -> SimdLevel {
    #[cfg(target_arch = "x86_64")]
    {
        if is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512dq")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx2")
            && is_x86_feature_detected!("fma")
        {
            return SimdLevel::V4;
        }
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            return SimdLevel::V3;
        }
    }
    SimdLevel::Baseline
}

/// Defines `fn $name(args)` that runs `$body` compiled for the best SIMD
/// level of the running CPU. The body is inlined into a copy per level, so
/// it and every `#[inline(always)]` helper it calls are vectorised for that
/// level.
macro_rules! multiversion {
    ($(#[$attr:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) $body:block) => {
        $(#[$attr])*
        $vis fn $name($($arg: $ty),*) {
            #[inline(always)]
            fn body($($arg: $ty),*) $body

            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")]
                fn v4($($arg: $ty),*) { body($($arg),*) }
                #[target_feature(enable = "avx2,fma")]
                fn v3($($arg: $ty),*) { body($($arg),*) }
                match simd_level() {
                    // SAFETY: simd_level() found these features on this CPU.
                    SimdLevel::V4 => return unsafe { v4($($arg),*) },
                    // SAFETY: as above.
                    SimdLevel::V3 => return unsafe { v3($($arg),*) },
                    SimdLevel::Baseline => {}
                }
            }
            body($($arg),*)
        }
    };
}

// ---------------------------------------------------------------------------
// Scalar building blocks, written to vectorise when applied lane by lane.

/// e^x, relative error ≈ 2e-7 (Cephes' expf polynomial). Inputs below −87
/// give ≈ 1e-38 instead of 0, which is harmless for softmax and GELU.
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    // Adding 1.5·2²³ rounds to the nearest integer in the low mantissa bits:
    // a vectorisable round() and float→int conversion in one.
    const MAGIC: f32 = 12_582_912.0;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = x.clamp(-87.0, 88.0);
    let t = x * std::f32::consts::LOG2_E + MAGIC;
    let n = t - MAGIC;
    let r = x - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5;
    let y = p * r * r + r + 1.0;
    // 2^n built directly in the exponent field; n ∈ [−126, 127] after the clamp.
    let n_int = t.to_bits().wrapping_sub(MAGIC.to_bits()) as i32;
    let pow2n = f32::from_bits((n_int + 127).wrapping_shl(23) as u32);
    y * pow2n
}

/// erf(x) to within a few ulp, as a rational function on [−4, 4] (outside
/// it erf is ±1 in f32): Eigen's `generic_fast_erf_float`. No exp, one
/// division: about half the work of the textbook exp-based formulas, and
/// GELU evaluates it on every FFN activation.
#[inline(always)]
pub(crate) fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p + -2.101_024e-6;
    p = x2 * p + -5.692_506_4e-5;
    p = x2 * p + -7.349_906_3e-4;
    p = x2 * p + -2.954_600_1e-3;
    p = x2 * p + -1.609_603_3e-2;
    let mut q = x2 * -1.456_607_2e-5 + -2.133_740_6e-4;
    q = x2 * q + -1.682_827e-3;
    q = x2 * q + -7.373_329e-3;
    q = x2 * q + -1.426_473_9e-2;
    x * p / q
}

/// The exact (erf) GELU that BERT's `hidden_act: "gelu"` means.
#[inline(always)]
pub(crate) fn gelu(x: f32) -> f32 {
    0.5 * x * (1.0 + erf(x * std::f32::consts::FRAC_1_SQRT_2))
}

/// Sum with one accumulator per lane, so it vectorises without reordering
/// the float additions LLVM is not allowed to reorder itself.
#[inline(always)]
fn sum(v: &[f32]) -> f32 {
    let (chunks, rest) = v.as_chunks::<LANES>();
    let mut acc = [0.0f32; LANES];
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    acc.iter().sum::<f32>() + rest.iter().sum::<f32>()
}

#[inline(always)]
fn max(v: &[f32]) -> f32 {
    let (chunks, rest) = v.as_chunks::<LANES>();
    let mut acc = [f32::NEG_INFINITY; LANES];
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a = if x > *a { x } else { *a };
        }
    }
    acc.iter()
        .chain(rest)
        .fold(f32::NEG_INFINITY, |m, &x| if x > m { x } else { m })
}

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

// ---------------------------------------------------------------------------
// Kernels over a whole packed batch. Rows are tokens; `h` is the hidden size.

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

multiversion! {
    /// `y = gelu(y + bias)` for every row of `y`.
    pub(crate) fn bias_gelu(y: &mut [f32], bias: &[f32]) {
        for row in y.chunks_exact_mut(bias.len()) {
            for (v, &b) in row.iter_mut().zip(bias) {
                *v = gelu(*v + b);
            }
        }
    }
}

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

/// a·b + c. Inside the multiversioned kernels this is one FMA instruction;
/// only an x86 CPU without FMA (pre-2013) pays for a libm call.
#[inline(always)]
fn fma(a: f32, b: f32, c: f32) -> f32 {
    a.mul_add(b, c)
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

/// `c = a · b` with `a` `m × k`, `b` `k × n`, `c` `m × n`, all row-major.
/// `gemm` dispatches to its AVX-512 kernels at run time.
pub(crate) fn matmul(a: &[f32], b: &[f32], c: &mut [f32], m: usize, k: usize, n: usize) {
    assert!(
        a.len() >= m * k && b.len() >= k * n && c.len() >= m * n,
        "matmul: short buffer"
    );
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the assert above keeps every access, at the row strides given
    // (k for a, n for b and c, unit column stride), inside the slices; c does
    // not alias a or b (it is a unique borrow).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            1,
            k as isize,
            b.as_ptr(),
            1,
            n as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            // Each worker thread runs its own batches; see LocalEmbedderOptions.
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// Lets a test run the kernels as compiled for the baseline ISA.
        pub(super) static FORCE_BASELINE: Cell<bool> = const { Cell::new(false) };
    }

    /// Runs `f` once with the best SIMD level and once with the baseline.
    fn both_levels(f: impl Fn()) {
        f();
        FORCE_BASELINE.with(|b| b.set(true));
        f();
        FORCE_BASELINE.with(|b| b.set(false));
    }

    /// Deterministic pseudo-random numbers in [−scale, scale).
    fn data(n: usize, seed: u64, scale: f32) -> Vec<f32> {
        let mut s = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0) * scale
            })
            .collect()
    }

    fn assert_close(got: &[f32], want: &[f32], tol: f32) {
        assert_eq!(got.len(), want.len());
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g - w).abs() <= tol * (1.0 + w.abs()),
                "at {i}: got {g}, want {w}"
            );
        }
    }

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

    /// erf by its Taylor series, in f64; converges for the |z| ≤ 5 used.
    fn naive_erf(z: f64) -> f64 {
        if z.abs() > 5.0 {
            return z.signum();
        }
        let mut term = z;
        let mut total = z;
        for n in 1..200 {
            term *= -z * z / n as f64;
            total += term / (2 * n + 1) as f64;
        }
        total * 2.0 / std::f64::consts::PI.sqrt()
    }

    fn naive_gelu(x: f64) -> f64 {
        0.5 * x * (1.0 + naive_erf(x / std::f64::consts::SQRT_2))
    }

    #[test]
    fn erf_matches_series() {
        for i in -600..=600 {
            let x = i as f32 / 100.0;
            let (got, want) = (erf(x), naive_erf(x as f64));
            assert!(
                (got as f64 - want).abs() < 5e-7,
                "erf({x}) = {got}, want {want}"
            );
        }
    }

    #[test]
    fn exp_matches_std() {
        for i in -2000..=2000 {
            let x = i as f32 * 0.04;
            let (got, want) = (exp(x), x.exp());
            assert!(
                (got - want).abs() <= 4e-7 * want,
                "exp({x}) = {got}, want {want}"
            );
        }
        assert!(exp(-1000.0) < 1e-37);
        assert!(exp(f32::NEG_INFINITY) < 1e-37);
    }

    #[test]
    fn gelu_matches_erf_definition() {
        both_levels(|| {
            let mut y = data(3 * 64, 1, 6.0);
            let bias = data(64, 2, 0.5);
            let want: Vec<f32> = y
                .chunks(64)
                .flat_map(|r| {
                    r.iter()
                        .zip(&bias)
                        .map(|(&v, &b)| naive_gelu((v + b) as f64) as f32)
                })
                .collect();
            bias_gelu(&mut y, &bias);
            for (g, w) in y.iter().zip(&want) {
                assert!((g - w).abs() < 2e-6, "gelu: got {g}, want {w}");
            }
        });
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

    #[test]
    fn matmul_matches_naive() {
        let (m, k, n) = (7, 33, 19);
        let a = data(m * k, 14, 1.0);
        let b = data(k * n, 15, 1.0);
        let mut c = vec![0.0; m * n];
        matmul(&a, &b, &mut c, m, k, n);
        let want: Vec<f32> = (0..m * n)
            .map(|i| {
                (0..k)
                    .map(|p| a[i / n * k + p] as f64 * b[p * n + i % n] as f64)
                    .sum::<f64>() as f32
            })
            .collect();
        assert_close(&c, &want, 1e-5);
    }
}
