"""all-MiniLM-L6-v2 in numpy (BERT, mean pooling, L2 norm), for the lab
when the Rust `embed_texts` example is not built. Same model files."""
import math, os
import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                   ".local/model/all-MiniLM-L6-v2")
_W = None
_T = None


def _ln(x, g, b, eps=1e-12):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * g + b


def _gelu(x):
    from math import sqrt
    return 0.5 * x * (1.0 + _erf(x / sqrt(2.0)))


def _erf(x):
    # Abramowitz-Stegun 7.1.26 is too coarse; use numpy-vectorised math.erf.
    return np.vectorize(math.erf, otypes=[np.float32])(x) if x.size < 0 else _erf_fast(x)


def _erf_fast(x):
    # W. J. Cody-grade rational approximation via scipy-free method:
    # erf(x) = sign(x) * (1 - tau) with high-precision Numerical Recipes erfc.
    z = np.abs(x).astype(np.float64)
    t = 1.0 / (1.0 + 0.5 * z)
    r = t * np.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (
            -0.82215223 + t * 0.17087277)))))))))
    return (np.sign(x) * (1.0 - r)).astype(np.float32)


def _load():
    global _W, _T
    if _W is None:
        _W = load_file(os.path.join(DIR, "model.safetensors"))
        _T = Tokenizer.from_file(os.path.join(DIR, "tokenizer.json"))
        _T.enable_truncation(256)
        _T.no_padding()


def token_states(text):
    """The last layer's output for each token of `text`: (tokens, (n, 384))."""
    _load()
    W = _W
    enc = _T.encode(text)
    ids = np.array(enc.ids)
    n = len(ids)
    x = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][:n] \
        + W["embeddings.token_type_embeddings.weight"][0]
    x = _ln(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"])
    for l in range(6):
        p = f"encoder.layer.{l}."
        lin = lambda h, name: h @ W[p + name + ".weight"].T + W[p + name + ".bias"]
        q = lin(x, "attention.self.query").reshape(n, 12, 32).transpose(1, 0, 2)
        k = lin(x, "attention.self.key").reshape(n, 12, 32).transpose(1, 0, 2)
        v = lin(x, "attention.self.value").reshape(n, 12, 32).transpose(1, 0, 2)
        a = q @ k.transpose(0, 2, 1) / math.sqrt(32)
        a = np.exp(a - a.max(-1, keepdims=True))
        a /= a.sum(-1, keepdims=True)
        c = (a @ v).transpose(1, 0, 2).reshape(n, 384)
        x = _ln(lin(c, "attention.output.dense") + x, W[p + "attention.output.LayerNorm.weight"],
                W[p + "attention.output.LayerNorm.bias"])
        h = _gelu(lin(x, "intermediate.dense"))
        x = _ln(lin(h, "output.dense") + x, W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"])
    return enc.tokens, x


def embed(texts):
    out = []
    for text in texts:
        e = token_states(text)[1].mean(0)
        out.append(e / np.linalg.norm(e))
    return np.array(out, dtype=np.float32)
