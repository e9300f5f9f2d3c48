#!/usr/bin/env bash
# `make lint` (and the start of `make test`): formatting, clippy with
# warnings as errors, unused dependencies, and the crate boundaries the
# layout promises (docs/architecture.md, "Crates").
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
MACHETE_VERSION=0.9.2

$CARGO fmt --all -- --check
$CARGO clippy --profile ci --workspace --all-targets -- -D warnings

if ! cargo-machete --version 2>/dev/null | grep -q "$MACHETE_VERSION"; then
    echo "==> installing cargo-machete $MACHETE_VERSION (once)" >&2
    $CARGO install --locked cargo-machete --version "$MACHETE_VERSION" >/dev/null 2>&1
fi
cargo-machete

# pelican relays rows to SQS: it must not build the embedder, the vector
# store or an HTTP client stack it never uses.
forbidden='^(embedding|vector-store|gemm|tokenizers|safetensors|reqwest|aws-sdk-sns) '
if $CARGO tree -p pelican -e normal,build --prefix none | sort -u | grep -E "$forbidden"; then
    echo "lint: pelican depends on the crates above; it must not" >&2
    exit 1
fi
# The sample catalog is a pure generator; the services do not load it.
for service in pelican emu frontend; do
    if $CARGO tree -p "$service" -e normal --prefix none | grep -qE '^(sample-catalog|testkit) '; then
        echo "lint: $service depends on sample-catalog or testkit (dev-only)" >&2
        exit 1
    fi
done
echo "lint: ok"
