//! Matrix multiplication. The f32 path goes through the `gemm` crate; the
//! bf16 path lives in `crate::bf16`.

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
    use crate::kernels::test_support::{assert_close, data};

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
