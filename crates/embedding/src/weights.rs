//! Model config and weights, read once at load and laid out for `bert`.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use safetensors::Dtype;
use safetensors::tensor::Metadata;
use serde::Deserialize;

use super::bf16::PackedBf16;
use super::{DIMENSION, EmbedError, Precision};

/// The fields of `config.json` the forward pass needs.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct BertConfig {
    pub hidden_size: usize,
    pub num_attention_heads: usize,
    pub num_hidden_layers: usize,
    pub intermediate_size: usize,
    pub max_position_embeddings: usize,
    pub vocab_size: usize,
    pub layer_norm_eps: f64,
    pub hidden_act: String,
}

impl BertConfig {
    pub(crate) fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }
}

/// A dense layer `y = x·W + b`. `W` is `k × n`, stored input-major; PyTorch
/// stores it the other way round (`[out, in]`), so it is transposed at load.
#[derive(Debug)]
pub(crate) struct Linear {
    pub w: Weight,
    pub b: Vec<f32>,
    pub k: usize,
    pub n: usize,
}

#[derive(Debug)]
pub(crate) enum Weight {
    /// Row-major `k × n` f32, for `gemm`.
    F32(Vec<f32>),
    /// Rounded to bf16 and packed for [`PackedBf16::matmul`].
    Bf16(PackedBf16),
}

impl Linear {
    /// `y = x·W` (without the bias, which the next fused kernel adds) for
    /// the `m` rows of `x`. `scratch` holds `x` rounded to bf16 in bf16 mode.
    pub(crate) fn matmul(&self, x: &[f32], m: usize, y: &mut [f32], scratch: &mut Vec<u16>) {
        let (x, y) = (&x[..m * self.k], &mut y[..m * self.n]);
        match &self.w {
            Weight::F32(w) => super::kernels::matmul(x, w, y, m, self.k, self.n),
            Weight::Bf16(w) => w.matmul(x, m, y, scratch),
        }
    }

    fn new(w: Vec<f32>, b: Vec<f32>, k: usize, n: usize, precision: Precision) -> Self {
        let w = match precision {
            Precision::F32 => Weight::F32(w),
            Precision::Bf16 => Weight::Bf16(PackedBf16::pack(&w, k, n)),
        };
        Self { w, b, k, n }
    }
}

#[derive(Debug)]
pub(crate) struct LayerWeights {
    /// Q, K and V side by side (`hidden × 3·hidden`), so one matmul computes
    /// all three. Q is pre-scaled by 1/√head_dim so attention skips that step.
    pub qkv: Linear,
    pub attn_out: Linear,
    pub attn_ln_gamma: Vec<f32>,
    pub attn_ln_beta: Vec<f32>,
    pub ffn_in: Linear,
    pub ffn_out: Linear,
    pub ffn_ln_gamma: Vec<f32>,
    pub ffn_ln_beta: Vec<f32>,
}

#[derive(Debug)]
pub(crate) struct BertWeights {
    pub config: BertConfig,
    /// `vocab_size × hidden`.
    pub word_embeddings: Vec<f32>,
    /// `max_position_embeddings × hidden`.
    pub position_embeddings: Vec<f32>,
    /// Row 0 of the token-type table: single-sentence inputs only use type 0,
    /// so it is added to every token.
    pub token_type_embedding: Vec<f32>,
    pub emb_ln_gamma: Vec<f32>,
    pub emb_ln_beta: Vec<f32>,
    pub layers: Vec<LayerWeights>,
}

fn load_error(path: &Path, message: impl Into<String>) -> EmbedError {
    EmbedError::ModelLoad {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

pub(crate) fn load_config(model_dir: &Path) -> Result<BertConfig, EmbedError> {
    let path = model_dir.join("config.json");
    let text = std::fs::read_to_string(&path).map_err(|e| load_error(&path, e.to_string()))?;
    let config: BertConfig =
        serde_json::from_str(&text).map_err(|e| load_error(&path, e.to_string()))?;
    // The kernels assume what all-MiniLM-L6-v2 (and BERTs of its shape) has;
    // refuse anything else rather than compute garbage.
    if config.hidden_act != "gelu" {
        return Err(load_error(
            &path,
            format!(
                "hidden_act {:?} is not supported (only \"gelu\")",
                config.hidden_act
            ),
        ));
    }
    if config.hidden_size != DIMENSION
        || config.num_attention_heads == 0
        || !config
            .hidden_size
            .is_multiple_of(config.num_attention_heads)
        || !config.head_dim().is_multiple_of(super::kernels::LANES)
    {
        return Err(load_error(
            &path,
            format!(
                "hidden_size {} with {} heads is not supported (need {DIMENSION}, split into heads of a multiple of 16)",
                config.hidden_size, config.num_attention_heads
            ),
        ));
    }
    Ok(config)
}

/// `max_seq_length` from `sentence_bert_config.json` (what sentence-transformers
/// truncates at), capped by the position table. 256 for all-MiniLM-L6-v2.
pub(crate) fn load_max_seq_len(model_dir: &Path, config: &BertConfig) -> Result<usize, EmbedError> {
    #[derive(Deserialize)]
    struct SentenceBertConfig {
        max_seq_length: usize,
    }
    let path = model_dir.join("sentence_bert_config.json");
    let max = match std::fs::read_to_string(&path) {
        Ok(text) => {
            serde_json::from_str::<SentenceBertConfig>(&text)
                .map_err(|e| load_error(&path, e.to_string()))?
                .max_seq_length
        }
        // Without the file, fall back to the model's own limit.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => config.max_position_embeddings,
        Err(e) => return Err(load_error(&path, e.to_string())),
    };
    Ok(max.clamp(2, config.max_position_embeddings))
}

/// A safetensors file read one tensor at a time, so that loading never holds
/// the whole file in memory next to the converted weights (that would double
/// the peak RSS of every service that embeds).
struct TensorFile {
    path: PathBuf,
    file: File,
    metadata: Metadata,
    /// Where the tensor data starts: after the 8-byte length and the header.
    data_start: u64,
    file_len: u64,
    /// Some exports prefix every name with `bert.`.
    prefix: &'static str,
}

impl TensorFile {
    fn open(path: PathBuf) -> Result<Self, EmbedError> {
        let err = |e: &dyn std::fmt::Display| load_error(&path, e.to_string());
        let mut file = File::open(&path).map_err(|e| err(&e))?;
        let file_len = file.metadata().map_err(|e| err(&e))?.len();
        let mut len = [0u8; 8];
        file.read_exact(&mut len).map_err(|e| err(&e))?;
        let header_len = u64::from_le_bytes(len);
        // safetensors caps headers at 100 MB; anything bigger is not one.
        if header_len > 100_000_000 || 8 + header_len > file_len {
            return Err(err(&"not a safetensors file (bad header length)"));
        }
        let mut header = vec![0u8; header_len as usize];
        file.read_exact(&mut header).map_err(|e| err(&e))?;
        let metadata: Metadata = serde_json::from_slice(&header).map_err(|e| err(&e))?;
        let prefix = if metadata.tensors().keys().any(|n| n.starts_with("bert.")) {
            "bert."
        } else {
            ""
        };
        Ok(Self {
            path,
            file,
            metadata,
            data_start: 8 + header_len,
            file_len,
            prefix,
        })
    }

    /// The tensor `name` as f32, checking its dtype and shape.
    fn get(&self, name: &str, shape: &[usize]) -> Result<Vec<f32>, EmbedError> {
        let full = format!("{}{name}", self.prefix);
        let err = |message: String| load_error(&self.path, format!("{full}: {message}"));
        let info = self
            .metadata
            .info(&full)
            .ok_or_else(|| err("missing".into()))?;
        if info.dtype != Dtype::F32 {
            return Err(err(format!("dtype {:?}, expected F32", info.dtype)));
        }
        if info.shape != shape {
            return Err(err(format!("shape {:?}, expected {shape:?}", info.shape)));
        }
        let (begin, end) = info.data_offsets;
        let count: usize = shape.iter().product();
        let start = self.data_start + begin as u64;
        if end.checked_sub(begin) != Some(count * 4) || start + (count * 4) as u64 > self.file_len {
            return Err(err(format!(
                "data offsets {begin}..{end} do not fit its shape or the file"
            )));
        }
        let mut file = &self.file;
        file.seek(SeekFrom::Start(start))
            .map_err(|e| err(e.to_string()))?;
        // Read through a small buffer and decode: the data need not be
        // 4-byte aligned in the file, and this keeps the extra memory small.
        let mut values = Vec::with_capacity(count);
        let mut buf = vec![0u8; (count * 4).min(1 << 20)];
        while values.len() < count {
            let bytes = &mut buf[..((count - values.len()) * 4).min(1 << 20)];
            file.read_exact(bytes).map_err(|e| err(e.to_string()))?;
            values.extend(
                bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            );
        }
        Ok(values)
    }

    /// A PyTorch `nn.Linear` (`weight` is `[n, k]`) as `(k × n weight, bias)`.
    fn linear_f32(
        &self,
        name: &str,
        k: usize,
        n: usize,
    ) -> Result<(Vec<f32>, Vec<f32>), EmbedError> {
        let w = self.get(&format!("{name}.weight"), &[n, k])?;
        let b = self.get(&format!("{name}.bias"), &[n])?;
        Ok((transpose(&w, n, k), b))
    }

    fn linear(
        &self,
        name: &str,
        k: usize,
        n: usize,
        precision: Precision,
    ) -> Result<Linear, EmbedError> {
        let (w, b) = self.linear_f32(name, k, n)?;
        Ok(Linear::new(w, b, k, n, precision))
    }
}

/// `rows × cols` row-major → `cols × rows` row-major.
fn transpose(src: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut dst = vec![0.0; src.len()];
    for r in 0..rows {
        for c in 0..cols {
            dst[c * rows + r] = src[r * cols + c];
        }
    }
    dst
}

/// Q, K, V (`h × h` input-major weights, and biases) fused into one
/// `h × 3h` layer, with Q pre-scaled by `q_scale`.
fn fuse_qkv(
    q: (Vec<f32>, Vec<f32>),
    k: (Vec<f32>, Vec<f32>),
    v: (Vec<f32>, Vec<f32>),
    h: usize,
    q_scale: f32,
    precision: Precision,
) -> Linear {
    let mut w = Vec::with_capacity(h * 3 * h);
    for row in 0..h {
        w.extend(q.0[row * h..(row + 1) * h].iter().map(|x| x * q_scale));
        w.extend_from_slice(&k.0[row * h..(row + 1) * h]);
        w.extend_from_slice(&v.0[row * h..(row + 1) * h]);
    }
    let mut b: Vec<f32> = q.1.iter().map(|x| x * q_scale).collect();
    b.extend_from_slice(&k.1);
    b.extend_from_slice(&v.1);
    Linear::new(w, b, h, 3 * h, precision)
}

/// Loads the weights. With [`Precision::Bf16`] the dense layers are rounded
/// to bf16 (the caller has checked that the CPU supports it); embedding
/// tables, biases and LayerNorms stay f32 either way.
pub(crate) fn load_weights(
    model_dir: &Path,
    config: BertConfig,
    precision: Precision,
) -> Result<BertWeights, EmbedError> {
    let file = TensorFile::open(model_dir.join("model.safetensors"))?;

    let h = config.hidden_size;
    let inter = config.intermediate_size;
    let q_scale = 1.0 / (config.head_dim() as f32).sqrt();

    let token_types = file.get("embeddings.token_type_embeddings.weight", &[2, h])?;
    let mut layers = Vec::with_capacity(config.num_hidden_layers);
    for i in 0..config.num_hidden_layers {
        let p = format!("encoder.layer.{i}");
        let q = file.linear_f32(&format!("{p}.attention.self.query"), h, h)?;
        let k = file.linear_f32(&format!("{p}.attention.self.key"), h, h)?;
        let v = file.linear_f32(&format!("{p}.attention.self.value"), h, h)?;
        layers.push(LayerWeights {
            qkv: fuse_qkv(q, k, v, h, q_scale, precision),
            attn_out: file.linear(&format!("{p}.attention.output.dense"), h, h, precision)?,
            attn_ln_gamma: file.get(&format!("{p}.attention.output.LayerNorm.weight"), &[h])?,
            attn_ln_beta: file.get(&format!("{p}.attention.output.LayerNorm.bias"), &[h])?,
            ffn_in: file.linear(&format!("{p}.intermediate.dense"), h, inter, precision)?,
            ffn_out: file.linear(&format!("{p}.output.dense"), inter, h, precision)?,
            ffn_ln_gamma: file.get(&format!("{p}.output.LayerNorm.weight"), &[h])?,
            ffn_ln_beta: file.get(&format!("{p}.output.LayerNorm.bias"), &[h])?,
        });
    }
    Ok(BertWeights {
        word_embeddings: file.get("embeddings.word_embeddings.weight", &[config.vocab_size, h])?,
        position_embeddings: file.get(
            "embeddings.position_embeddings.weight",
            &[config.max_position_embeddings, h],
        )?,
        token_type_embedding: token_types[..h].to_vec(),
        emb_ln_gamma: file.get("embeddings.LayerNorm.weight", &[h])?,
        emb_ln_beta: file.get("embeddings.LayerNorm.bias", &[h])?,
        layers,
        config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_swaps_rows_and_columns() {
        let m = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]; // 2 × 3
        assert_eq!(transpose(&m, 2, 3), vec![1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    }
}
