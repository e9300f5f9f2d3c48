#!/usr/bin/env bash
# The suites of `make test`, after the servers, lint and deploy checks
# (Makefile): every crate's tests with cargo-nextest, the long chaos CI form
# after them, then the benchmark's smoke run. One summary line at the end.
# The order puts what fails fast first (docs/testing.md).
set -euo pipefail
cd "$(dirname "$0")/.."
CARGO=${CARGO:-cargo}
LOG=.local/test.log
mkdir -p .local
: >"$LOG"

if ! $CARGO nextest --version >/dev/null 2>&1; then
    echo "==> installing cargo-nextest (once)" >&2
    $CARGO install --locked cargo-nextest >/dev/null
fi

status=0
run() { # label command...: run, tee into the log, remember a failure
    local label=$1 started=$SECONDS
    echo "==> $label" | tee -a "$LOG"
    shift
    "$@" 2>&1 | tee -a "$LOG" || status=1
    echo "==> $label: $((SECONDS - started)) s" | tee -a "$LOG"
}

# Every test binary, and every service binary the suites start as processes,
# in one cargo invocation: features are unified once over the normal and the
# dev-dependencies, so the dependency graph (the AWS SDKs, sqlx, hyper, gemm)
# is compiled once. Built apart, the binaries and the tests wanted different
# feature sets of ~90 crates and compiled them twice (about 10 minutes on 2
# cores). The runs below use the same workspace-wide selection, so they
# find everything built. Profile `ci` (Cargo.toml): release at opt-level 1
# but for the embedder's crates, in target/ci/, apart from the release
# binaries.
PROFILE=ci
run "build" $CARGO build --profile $PROFILE --workspace --all-targets
run "suites" $CARGO nextest run --cargo-profile $PROFILE --workspace --no-fail-fast \
    -E 'not package(chaos)'
run "chaos (CI form: 1 000 products, both vector stores)" \
    $CARGO nextest run --cargo-profile $PROFILE --workspace --no-fail-fast -E 'package(chaos)'
# The benchmark's smoke run: every phase must complete; its figures are
# reported, never asserted (a shared CI machine is too noisy for timing
# checks, and this build is not the release one). Its own file, so the
# committed full-run results stay as they are.
run "bench smoke" bash -c "target/$PROFILE/bench run --quick --rows 1000 --out .local/bench-smoke.json \
    >.local/bench-smoke.log 2>&1 || { tail -n 60 .local/bench-smoke.log; exit 1; }"
sed -n '/^| measure/,/^Machine/p' .local/bench-smoke.log || true

awk '/Summary \[/ {
        for (i = 1; i <= NF; i++) {
            if ($(i+1) ~ /^passed/) p += $i
            if ($(i+1) ~ /^failed/) f += $i
        }
    }
    END { printf "summary: %d passed, %d failed\n", p, f }' "$LOG"
exit $status
