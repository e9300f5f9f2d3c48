#!/usr/bin/env python3
"""Writes crates/embedding/tests/fixtures/golden_embeddings.json: fixed texts and their
sentence-transformers (PyTorch, FP32, CPU) embeddings, the reference that
crates/embedding/tests/golden.rs holds the Rust embedder to.

Needs torch and sentence-transformers (not part of the project's run time):
    python3 -m venv .local/bench-venv
    .local/bench-venv/bin/pip install torch sentence-transformers
    HF_HUB_OFFLINE=1 .local/bench-venv/bin/python scripts/golden_embeddings.py

The model is read from MODEL_DIR (default .local/model/all-MiniLM-L6-v2, as
scripts/fetch-model.sh unpacks it).
"""

import json
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
MODEL_DIR = pathlib.Path(os.environ.get("MODEL_DIR", ROOT / ".local/model/all-MiniLM-L6-v2"))
OUT = ROOT / "crates/embedding/tests/fixtures/golden_embeddings.json"

# Well over 256 tokens, so the embedder must truncate exactly where
# sentence-transformers does (max_seq_length 256, special tokens included).
LONG = " ".join(
    f"Section {i}: the stainless-steel kettle holds 1.7 litres, boils in under "
    f"four minutes, switches itself off when dry, and ships with a two-year warranty."
    for i in range(1, 16)
)

TEXTS = [
    # Short and degenerate inputs.
    "",
    "a",
    "hello",
    "   leading and trailing spaces   ",
    "!!!",
    # Queries, as a shopper types them.
    "red running shoes",
    "cheap laptop for students",
    "waterproof hiking jacket men's XL",
    "gift ideas under $50",
    # Product-like texts, as the catalog renders them.
    "Acme UltraBoost 22 Running Shoe — lightweight mesh upper, responsive foam midsole, "
    "rubber outsole. Colour: crimson. Sizes 6–13. Price: 129.99 USD.",
    "Organic cotton T-shirt, crew neck, relaxed fit; machine washable at 30°C. SKU TS-0042-BLU-M",
    "Stainless steel water bottle 750ml, double-wall vacuum insulated, keeps drinks cold 24h / hot 12h.",
    "Wireless noise-cancelling headphones with 30-hour battery life, USB-C fast charging and multipoint Bluetooth 5.3.",
    "Kids' wooden building blocks (100 pcs) in a canvas storage bag; non-toxic water-based paints; ages 3+.",
    "Ergonomic office chair: adjustable lumbar support, 4D armrests, breathable mesh back, max load 150 kg.",
    # Punctuation, numbers, casing, markup.
    "WHY IS THIS ALL CAPS??? Because... reasons; (nested [brackets] {too}) & more!",
    "Price: $1,299.00 -- 20% off (was $1,624.99) #deal @store http://example.com/p?id=42",
    "<b>Bold</b> claims &amp; HTML entities in a description\n\twith newlines\tand tabs",
    # Unicode: accents, CJK, emoji, right-to-left, combining marks.
    "Crème brûlée au café, fraîchement préparée à Montréal",
    "Größenverstellbarer Rucksack für Städtereisen — wasserabweisend",
    "東京で人気のラーメン店のカップ麺",
    "高性能笔记本电脑，轻薄便携",
    "Бесплатная доставка по всей России",
    "منتج عالي الجودة بسعر مناسب",
    "Party pack 🎉🎈 with 50 balloons 🎁 and confetti ✨",
    "Zalgo t̷e̸x̵t̶ and n\u0303 combining marks",
    # Truncation.
    LONG,
]


def main() -> None:
    import sentence_transformers
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(0)
    model = SentenceTransformer(str(MODEL_DIR), device="cpu")
    vectors = model.encode(TEXTS, batch_size=32, normalize_embeddings=False, convert_to_numpy=True)
    token_counts = [len(model.tokenizer(t, truncation=False)["input_ids"]) for t in TEXTS]
    assert max(token_counts) > 256, "the long text must exercise truncation"
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fixture = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "produced_by": "scripts/golden_embeddings.py",
        "sentence_transformers": sentence_transformers.__version__,
        "torch": torch.__version__,
        "max_seq_length": model.max_seq_length,
        "cases": [
            {"text": text, "tokens_untruncated": n, "embedding": [float(f"{x:.8g}") for x in vec]}
            for text, n, vec in zip(TEXTS, token_counts, vectors.tolist())
        ],
    }
    OUT.write_text(json.dumps(fixture, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {len(TEXTS)} embeddings to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
