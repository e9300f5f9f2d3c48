#!/usr/bin/env python3
"""The benchmark's peer: sentence-transformers (PyTorch, CPU) embedding the
same texts as the Rust embedder, with the same thread count and batch size,
the model read from the same local directory, in FP32 or bf16 (the model
cast with `model.to(torch.bfloat16)`, PyTorch's one-line fast path on CPUs
with bf16 instructions). Run by `bench run` (bench/src/phases/peer.rs) from
.local/bench-venv; prints one JSON object.

    peer_embed.py --texts FILE.jsonl --model-dir DIR --threads N --batch-size 32 --precision bf16

FILE.jsonl holds one JSON string per line. Like the Rust side, one warm-up
call precedes the timed one; sentence-transformers sorts texts by length
itself.
"""

import argparse
import json
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", required=True)
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    args = parser.parse_args()

    # Never reach for a hub: the model comes from --model-dir only.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    import torch

    torch.set_num_threads(args.threads)
    import sentence_transformers
    from sentence_transformers import SentenceTransformer

    with open(args.texts, encoding="utf-8") as f:
        texts = [json.loads(line) for line in f if line.strip()]

    started = time.perf_counter()
    model = SentenceTransformer(args.model_dir, device="cpu")
    if args.precision == "bf16":
        model = model.to(torch.bfloat16)
    load_s = time.perf_counter() - started

    with torch.inference_mode():
        model.encode(texts[:256], batch_size=args.batch_size, convert_to_numpy=True)
        started = time.perf_counter()
        vectors = model.encode(
            texts, batch_size=args.batch_size, convert_to_numpy=True, normalize_embeddings=True
        )
        seconds = time.perf_counter() - started
    vectors = vectors.astype("float32")
    assert vectors.shape == (len(texts), 384), vectors.shape

    print(
        json.dumps(
            {
                "texts": len(texts),
                "seconds": seconds,
                "texts_per_s": len(texts) / seconds,
                "load_s": load_s,
                "threads": torch.get_num_threads(),
                "batch_size": args.batch_size,
                "precision": args.precision,
                "torch": torch.__version__,
                "sentence_transformers": sentence_transformers.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
