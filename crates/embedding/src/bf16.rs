//! Optional bf16 matmul on CPUs with AVX512_BF16 (AMD Zen 4+, Intel Cooper
//! Lake / Sapphire Rapids+).
//!
//! `vdpbf16ps` multiplies pairs of bf16 and accumulates into f32 at twice
//! the FLOP rate of an f32 FMA, and bf16 weights are half the bytes to
//! stream. Weights are rounded to bf16 once at load and stored pre-packed;
//! activations are rounded row by row before each matmul; sums stay f32, and
//! so does everything outside the four dense layers of each block.
//!
//! Kernel shape: an 8-row × 48-column tile of C lives in 24 zmm registers for
//! the whole depth `k`; each step loads 3 vectors of packed weights (16
//! columns × one k-pair each) and broadcasts one k-pair of each of the 8 rows.

/// Columns of one packed weight panel: 3 vectors of 16 f32 accumulators.
pub(crate) const PANEL: usize = 48;
/// Rows of C computed together.
#[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // x86-64 kernel only
const ROWS: usize = 8;

/// A `k × n` weight matrix rounded to bf16 and packed for the kernel: per
/// panel of [`PANEL`] columns, per pair of rows `(2p, 2p+1)`, per column, the
/// two values side by side (the even row in the low half, as `vdpbf16ps`
/// pairs them with the activations' `(2p, 2p+1)`).
#[derive(Debug)]
pub(crate) struct PackedBf16 {
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))] // read by the x86-64 kernel
    data: Vec<u16>,
    /// `k` rounded up to even; the padding row is zero.
    k_pairs: usize,
    n: usize,
}

/// f32 → bf16, round to nearest even (what `vcvtneps2bf16` does).
pub(crate) fn to_bf16(x: f32) -> u16 {
    let bits = x.to_bits();
    if x.is_nan() {
        // Keep it a NaN after truncation.
        return ((bits >> 16) | 0x40) as u16;
    }
    let rounding = 0x7fff + ((bits >> 16) & 1);
    (bits.wrapping_add(rounding) >> 16) as u16
}

impl PackedBf16 {
    /// Packs `w` (`k × n`, row-major, input-major). `n` must be a multiple of
    /// [`PANEL`].
    pub(crate) fn pack(w: &[f32], k: usize, n: usize) -> Self {
        assert!(
            n.is_multiple_of(PANEL) && w.len() == k * n,
            "bf16 pack: bad shape"
        );
        let k_pairs = k.div_ceil(2);
        let mut data = Vec::with_capacity(n * k_pairs * 2);
        let at = |row: usize, col: usize| if row < k { w[row * n + col] } else { 0.0 };
        for panel in 0..n / PANEL {
            for p in 0..k_pairs {
                for col in panel * PANEL..(panel + 1) * PANEL {
                    data.push(to_bf16(at(2 * p, col)));
                    data.push(to_bf16(at(2 * p + 1, col)));
                }
            }
        }
        Self { data, k_pairs, n }
    }

    /// Whether this CPU can run the kernel.
    pub(crate) fn supported() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vl")
                && is_x86_feature_detected!("avx512bf16")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// `c = a · self`, `a` being `m × k` f32 and `c` `m × n` f32, both
    /// row-major. `scratch` receives `a` rounded to bf16.
    ///
    /// Panics if the CPU lacks AVX512_BF16: callers pack weights only after
    /// [`PackedBf16::supported`] said yes.
    pub(crate) fn matmul(&self, a: &[f32], m: usize, c: &mut [f32], scratch: &mut Vec<u16>) {
        if m == 0 {
            return;
        }
        let k_even = 2 * self.k_pairs;
        let k = a.len().checked_div(m).unwrap_or(0);
        assert!(
            a.len() == m * k && k.div_ceil(2) == self.k_pairs && c.len() >= m * self.n,
            "bf16 matmul: shapes do not match"
        );
        assert!(Self::supported(), "bf16 matmul without AVX512_BF16");
        // Every element is overwritten by round_rows, so growing without
        // clearing is enough.
        if scratch.len() < m * k_even {
            scratch.resize(m * k_even, 0);
        }
        #[cfg(target_arch = "x86_64")]
        // SAFETY: the CPU features were checked above; the asserts give every
        // buffer the size `kernel::gemm` documents.
        unsafe {
            kernel::round_rows(a, m, k, scratch);
            kernel::gemm(scratch, m, self, c);
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod kernel {
    use std::arch::x86_64::*;

    use super::{PANEL, PackedBf16, ROWS};

    /// Rounds `a` (`m × k` f32) into `out` (`m` rows of `k_even` bf16; the
    /// padding column, if any, is set to zero).
    ///
    /// # Safety
    /// The CPU must have AVX-512 F/BW/VL and BF16; `a.len() == m * k` and
    /// `out.len() >= m * k.next_multiple_of(2)`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512bf16")]
    pub(super) unsafe fn round_rows(a: &[f32], m: usize, k: usize, out: &mut [u16]) {
        let k_even = k.next_multiple_of(2);
        for (src, dst) in a.chunks_exact(k).zip(out.chunks_exact_mut(k_even)).take(m) {
            let (chunks, rest) = src.as_chunks::<16>();
            for (i, chunk) in chunks.iter().enumerate() {
                // SAFETY: `chunk` is 16 f32 and `dst[i*16..]` has 16 u16
                // (the rows have equal length up to the padding); unaligned
                // load and store are used.
                unsafe {
                    let v = _mm512_loadu_ps(chunk.as_ptr());
                    let h: __m256i = std::mem::transmute(_mm512_cvtneps_pbh(v));
                    _mm256_storeu_si256(dst.as_mut_ptr().add(i * 16).cast(), h);
                }
            }
            let done = chunks.len() * 16;
            for (d, &x) in dst[done..].iter_mut().zip(rest) {
                *d = super::to_bf16(x);
            }
            if k_even > k {
                dst[k] = 0;
            }
        }
    }

    /// `c = a · b` over packed bf16 operands.
    ///
    /// # Safety
    /// The CPU must have AVX-512 F/BW/VL and BF16; `a.len() >= m *
    /// 2·b.k_pairs`; `c.len() >= m * b.n`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512bf16")]
    pub(super) unsafe fn gemm(a: &[u16], m: usize, b: &PackedBf16, c: &mut [f32]) {
        let lda = 2 * b.k_pairs;
        let panel_len = b.k_pairs * PANEL * 2;
        for panel in 0..b.n / PANEL {
            let bp = b.data[panel * panel_len..][..panel_len].as_ptr();
            let mut row = 0;
            // SAFETY (all calls): rows `row..row + R` exist in `a` and `c`;
            // the panel has `k_pairs` steps of 96 u16; column offset
            // `panel·PANEL + 48 ≤ n`.
            unsafe {
                let cp = c.as_mut_ptr().add(panel * PANEL);
                while row + ROWS <= m {
                    tile::<ROWS>(
                        a.as_ptr().add(row * lda),
                        lda,
                        bp,
                        b.k_pairs,
                        cp.add(row * b.n),
                        b.n,
                    );
                    row += ROWS;
                }
                let (ap, cp) = (a.as_ptr().add(row * lda), cp.add(row * b.n));
                match m - row {
                    1 => tile::<1>(ap, lda, bp, b.k_pairs, cp, b.n),
                    2 => tile::<2>(ap, lda, bp, b.k_pairs, cp, b.n),
                    3 => tile::<3>(ap, lda, bp, b.k_pairs, cp, b.n),
                    4 => tile::<4>(ap, lda, bp, b.k_pairs, cp, b.n),
                    5 => tile::<5>(ap, lda, bp, b.k_pairs, cp, b.n),
                    6 => tile::<6>(ap, lda, bp, b.k_pairs, cp, b.n),
                    7 => tile::<7>(ap, lda, bp, b.k_pairs, cp, b.n),
                    _ => {}
                }
            }
        }
    }

    /// One `R × 48` tile of C over the full depth.
    ///
    /// # Safety
    /// `a` points at `R` rows of `2·k_pairs` bf16, `lda` apart; `b` at
    /// `k_pairs × 96` packed bf16; `c` at `R` rows of 48 writable f32, `ldc`
    /// apart. CPU features as for [`gemm`].
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512bf16")]
    #[inline]
    unsafe fn tile<const R: usize>(
        a: *const u16,
        lda: usize,
        b: *const u16,
        k_pairs: usize,
        c: *mut f32,
        ldc: usize,
    ) {
        let mut acc = [[_mm512_setzero_ps(); 3]; R];
        for p in 0..k_pairs {
            // SAFETY: within the bounds the caller guarantees.
            unsafe {
                let bk = b.add(p * PANEL * 2);
                let b0: __m512bh = std::mem::transmute(_mm512_loadu_si512(bk.cast()));
                let b1: __m512bh = std::mem::transmute(_mm512_loadu_si512(bk.add(32).cast()));
                let b2: __m512bh = std::mem::transmute(_mm512_loadu_si512(bk.add(64).cast()));
                for (r, acc) in acc.iter_mut().enumerate() {
                    let pair = std::ptr::read_unaligned(a.add(r * lda + 2 * p).cast::<i32>());
                    let av: __m512bh = std::mem::transmute(_mm512_set1_epi32(pair));
                    acc[0] = _mm512_dpbf16_ps(acc[0], av, b0);
                    acc[1] = _mm512_dpbf16_ps(acc[1], av, b1);
                    acc[2] = _mm512_dpbf16_ps(acc[2], av, b2);
                }
            }
        }
        for (r, acc) in acc.iter().enumerate() {
            // SAFETY: row r of the tile has 48 writable f32 (caller).
            unsafe {
                let row = c.add(r * ldc);
                _mm512_storeu_ps(row, acc[0]);
                _mm512_storeu_ps(row.add(16), acc[1]);
                _mm512_storeu_ps(row.add(32), acc[2]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bf16_to_f32(x: u16) -> f32 {
        f32::from_bits(u32::from(x) << 16)
    }

    #[test]
    fn rounding_is_nearest_even() {
        assert_eq!(to_bf16(1.0), 0x3f80);
        assert_eq!(bf16_to_f32(to_bf16(-2.5)), -2.5);
        // 1 + 2^-8 is halfway between two bf16 values: ties to even (1.0).
        assert_eq!(to_bf16(1.0 + 1.0 / 256.0), 0x3f80);
        // Just above halfway rounds up.
        assert_eq!(to_bf16(1.0 + 1.0 / 256.0 + 1.0 / 65536.0), 0x3f81);
        assert!(bf16_to_f32(to_bf16(f32::NAN)).is_nan());
    }

    #[test]
    fn matmul_matches_f32_on_bf16_rounded_inputs() {
        if !PackedBf16::supported() {
            return;
        }
        // Odd k (padding), m not a multiple of the 8-row tile; the scratch
        // buffer is reused with stale contents, as the workers do.
        let mut scratch = Vec::new();
        for &(m, k, n) in &[(29, 384, 144), (1, 7, 48), (13, 33, 96), (29, 384, 144)] {
            let a: Vec<f32> = (0..m * k)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) / 25.0)
                .collect();
            let w: Vec<f32> = (0..k * n)
                .map(|i| ((i * 53 % 97) as f32 - 48.0) / 31.0)
                .collect();
            let packed = PackedBf16::pack(&w, k, n);
            let mut c = vec![0.0; m * n];
            packed.matmul(&a, m, &mut c, &mut scratch);
            let r = |x: f32| bf16_to_f32(to_bf16(x)) as f64;
            for i in 0..m {
                for j in 0..n {
                    let want: f64 = (0..k).map(|p| r(a[i * k + p]) * r(w[p * n + j])).sum();
                    let got = c[i * n + j] as f64;
                    assert!(
                        (got - want).abs() <= 1e-4 * (1.0 + want.abs()),
                        "({i},{j}): {got} vs {want}"
                    );
                }
            }
        }
    }
}
