#!/usr/bin/env bash
# `make test-arm64`: the workspace for aarch64 (AWS Graviton), from this
# x86-64 machine: clippy with warnings as errors over every crate, then the
# embedder's golden test (vectors against sentence-transformers' FP32
# reference, cosine ≥ 0.999) run under qemu's user-mode emulation, so the
# NEON path through gemm is checked for numbers, not just compiled.
#
# Installs what it needs when missing: the Rust target (rustup), Debian's
# aarch64 cross gcc and libc (ring's build script compiles C) and
# qemu-user-static. Takes about 5 minutes on 2 cores; not part of
# `make test` (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
TARGET=aarch64-unknown-linux-gnu

rustup target list --installed | grep -qx "$TARGET" || rustup target add "$TARGET"
missing=()
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross)
command -v qemu-aarch64-static >/dev/null || missing+=(qemu-user-static)
if [ ${#missing[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || { echo "test-arm64: install ${missing[*]} (Debian packages) as root" >&2; exit 1; }
    echo "==> installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
        { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; }
fi

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64-static -L /usr/aarch64-linux-gnu"
echo "==> clippy, $TARGET" >&2
$CARGO clippy --release --target "$TARGET" --workspace --all-targets -- -D warnings
echo "==> golden embeddings under qemu-aarch64 (a few minutes)" >&2
$CARGO test --release --target "$TARGET" -p embedding --test golden -- --nocapture
