//! WordPiece tokenization with the model's own `tokenizer.json`.

use std::path::Path;

use tokenizers::{Tokenizer, TruncationDirection, TruncationParams, TruncationStrategy};

use super::EmbedError;

pub(crate) struct TextTokenizer {
    inner: Tokenizer,
}

impl std::fmt::Debug for TextTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextTokenizer").finish_non_exhaustive()
    }
}

impl TextTokenizer {
    /// Loads `tokenizer.json` and truncates at `max_len` tokens, special
    /// tokens included, as sentence-transformers does.
    pub(crate) fn load(model_dir: &Path, max_len: usize) -> Result<Self, EmbedError> {
        let path = model_dir.join("tokenizer.json");
        let load_error = |message: String| EmbedError::ModelLoad {
            path: path.clone(),
            message,
        };
        let mut inner = Tokenizer::from_file(&path).map_err(|e| load_error(e.to_string()))?;
        // The shipped tokenizer.json pads every text to 128 tokens and
        // truncates at 128. We pack batches without padding (see `bert`), and
        // sentence-transformers truncates at max_seq_length (256), not 128.
        inner.with_padding(None);
        inner
            .with_truncation(Some(TruncationParams {
                max_length: max_len,
                strategy: TruncationStrategy::LongestFirst,
                stride: 0,
                direction: TruncationDirection::Right,
            }))
            .map_err(|e| load_error(e.to_string()))?;
        Ok(Self { inner })
    }

    /// Appends the token ids of `text` (with `[CLS]` … `[SEP]`) to `ids` and
    /// returns how many were appended.
    pub(crate) fn encode_into(&self, text: &str, ids: &mut Vec<u32>) -> Result<usize, EmbedError> {
        // encode_fast skips computing offsets, which we never use.
        let encoding = self
            .inner
            .encode_fast(text, true)
            .map_err(|e| EmbedError::Tokenize(e.to_string()))?;
        let new = encoding.get_ids();
        ids.extend_from_slice(new);
        Ok(new.len())
    }
}
