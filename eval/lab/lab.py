"""Offline relevance lab: embeds every text once (cached in .local/lab/),
then evaluates ranking variants over the eval set in memory.

    python3 -m venv /tmp/lab && /tmp/lab/bin/pip install numpy tokenizers safetensors
    /tmp/lab/bin/python eval/lab/final.py

Texts are embedded by the Rust example `embed_texts` when it is built
(`cargo build --release -p embedding --example embed_texts`), else by
`minilm.py` (the same model in numpy; cosine ≥ 0.9999 to the golden
vectors of crates/embedding/tests/fixtures).
"""
import csv, json, os, subprocess, sys, hashlib
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.path.join(ROOT, ".local/lab/embeddings.json")
BIN = os.path.join(ROOT, "target/release/examples/embed_texts")

_cache = None


def _load():
    global _cache
    if _cache is None:
        _cache = json.load(open(CACHE)) if os.path.exists(CACHE) else {}
    return _cache


def embed(texts):
    cache = _load()
    missing = sorted({t for t in texts if t not in cache})
    if missing:
        if os.path.exists(BIN):
            out = json.loads(subprocess.run([BIN], input=json.dumps(missing), capture_output=True,
                                            text=True, cwd=ROOT, check=True).stdout)
        else:
            import minilm
            out = minilm.embed(missing).tolist()
        for t, v in zip(missing, out):
            cache[t] = v
        os.makedirs(os.path.dirname(CACHE), exist_ok=True)
        tmp = CACHE + ".tmp"
        json.dump(cache, open(tmp, "w"))
        os.replace(tmp, CACHE)
    return np.array([cache[t] for t in texts], dtype=np.float32)


def load_set(d="eval"):
    products = list(csv.DictReader(open(os.path.join(ROOT, d, "products.csv"))))
    queries = list(csv.DictReader(open(os.path.join(ROOT, d, "queries.csv"))))
    return products, queries


def compose(p, fmt="std"):
    name, cat, desc = p["name"].strip(), p["category"].strip(), p["description"].strip()
    def sent(s):
        s = s.strip()
        return s if s.endswith((".", "!", "?")) else s + "."
    if fmt == "std":
        return f"{cat}: {sent(name)} {sent(desc)}"
    raise ValueError(fmt)


def metrics(order, qcats, pcats, idx=None):
    """order: (nq, >=10) product indices best first."""
    idx = range(len(qcats)) if idx is None else idx
    p5, mrr, zero = [], [], 0
    for i in idx:
        hits = [pcats[j] == qcats[i] for j in order[i][:10]]
        p5.append(sum(hits[:5]) / 5)
        r = next((k for k, h in enumerate(hits) if h), None)
        mrr.append(0 if r is None else 1 / (r + 1))
        zero += r is None
    return np.mean(p5), np.mean(mrr), zero
