//! The BERT forward pass over one packed batch.
//!
//! "Packed": the tokens of all sequences of a batch are concatenated as rows
//! of one matrix, with no padding. Every op but attention treats tokens
//! independently, so the big matmuls run on exactly the tokens that exist;
//! attention alone needs to know where each sequence starts and ends.

use super::kernels::{self, AttentionScratch};
use super::weights::BertWeights;

/// Buffers of one forward pass, reused from batch to batch (and layer to
/// layer) so the steady state allocates nothing. One per worker thread.
#[derive(Debug, Default)]
pub(crate) struct Workspace {
    /// Hidden states, `tokens × h`.
    hidden: Vec<f32>,
    /// Q, K, V projections, `tokens × 3h`.
    qkv: Vec<f32>,
    /// Attention output (heads concatenated), `tokens × h`.
    context: Vec<f32>,
    /// Output of a projection back to `h`, before residual + LayerNorm.
    projected: Vec<f32>,
    /// FFN intermediate activations, `tokens × intermediate`.
    intermediate: Vec<f32>,
    attention: AttentionScratch,
    /// The left-hand side of a matmul rounded to bf16 (bf16 mode only).
    bf16_rows: Vec<u16>,
}

impl Workspace {
    fn resize(&mut self, tokens: usize, h: usize, intermediate: usize) {
        // Only ever grows; contents are fully overwritten before being read.
        fn fit(v: &mut Vec<f32>, len: usize) {
            if v.len() < len {
                v.resize(len, 0.0);
            }
        }
        fit(&mut self.hidden, tokens * h);
        fit(&mut self.qkv, tokens * 3 * h);
        fit(&mut self.context, tokens * h);
        fit(&mut self.projected, tokens * h);
        fit(&mut self.intermediate, tokens * intermediate);
    }
}

/// Embeds one packed batch: `ids` holds the token ids of all sequences back
/// to back, `lens` their lengths. Writes one L2-normalised `h`-vector per
/// sequence into `out` (`lens.len() × h`).
pub(crate) fn forward(
    weights: &BertWeights,
    ids: &[u32],
    lens: &[usize],
    ws: &mut Workspace,
    out: &mut [f32],
) {
    let cfg = &weights.config;
    let h = cfg.hidden_size;
    let inter = cfg.intermediate_size;
    let eps = cfg.layer_norm_eps as f32;
    let t = ids.len();
    debug_assert_eq!(t, lens.iter().sum::<usize>());
    debug_assert_eq!(out.len(), lens.len() * h);
    ws.resize(t, h, inter);
    let hidden = &mut ws.hidden[..t * h];
    let qkv = &mut ws.qkv[..t * 3 * h];
    let context = &mut ws.context[..t * h];
    let projected = &mut ws.projected[..t * h];
    let intermediate = &mut ws.intermediate[..t * inter];

    let tables = kernels::EmbeddingTables {
        word: &weights.word_embeddings,
        position: &weights.position_embeddings,
        type0: &weights.token_type_embedding,
        gamma: &weights.emb_ln_gamma,
        beta: &weights.emb_ln_beta,
        eps,
    };
    kernels::embed_tokens(hidden, ids, lens, &tables);

    for layer in &weights.layers {
        // Self-attention. The QKV bias is applied inside `attention`.
        layer.qkv.matmul(hidden, t, qkv, &mut ws.bf16_rows);
        kernels::attention(
            qkv,
            context,
            lens,
            cfg.num_attention_heads,
            &layer.qkv.b[..h],
            &layer.qkv.b[2 * h..],
            &mut ws.attention,
        );
        layer
            .attn_out
            .matmul(context, t, projected, &mut ws.bf16_rows);
        kernels::bias_residual_layer_norm(
            hidden,
            projected,
            &layer.attn_out.b,
            &layer.attn_ln_gamma,
            &layer.attn_ln_beta,
            eps,
        );

        // Feed-forward.
        layer
            .ffn_in
            .matmul(hidden, t, intermediate, &mut ws.bf16_rows);
        kernels::bias_gelu(intermediate, &layer.ffn_in.b);
        layer
            .ffn_out
            .matmul(intermediate, t, projected, &mut ws.bf16_rows);
        kernels::bias_residual_layer_norm(
            hidden,
            projected,
            &layer.ffn_out.b,
            &layer.ffn_ln_gamma,
            &layer.ffn_ln_beta,
            eps,
        );
    }

    kernels::mean_pool_normalize(hidden, lens, h, out);
}
