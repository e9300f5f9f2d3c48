#!/usr/bin/env bash
# `make eval`: measure search quality on eval/ through the whole pipeline.
#
# The eval catalog must not mix with the 10 000 sample products, so this runs
# a second, private copy of the system beside whatever `make up` started: its
# own database (catalog_eval, recreated every run), its own fresh queues, and
# its own pelican, emu and frontend on other ports, started from the release
# binaries and stopped on exit. The products go in through the CSV import,
# like a shop's catalog would; the metrics are read through the frontend's
# JSON API (`GET /api/search`). Until the frontend serves that API, or with
# EVAL_MODE=in-process, the client calls frontend::search in process instead.
#
# EVAL_SET=dir measures another set of the same shape (dir/products.csv,
# dir/queries.csv, optionally dir/known_items.csv and dir/needles.csv; see
# eval/README.md); its result goes to dir/results/latest.json. With
# needles.csv, a second stage measures item-level relevance inside the
# generated 10 000-product catalog (EVAL_CROWD=0 skips it).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
LOGS=$ROOT/.local/logs
SET=${EVAL_SET:-eval}
[ -f "$SET/products.csv" ] && [ -f "$SET/queries.csv" ] ||
    { printf 'error: EVAL_SET=%s needs products.csv and queries.csv\n' "$SET" >&2; exit 1; }
mkdir -p "$LOGS" "$SET/results"

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

set -a
. ./.env
set +a

# Postgres and the emulator of .env may already run (started by this or
# another checkout): only start them when they do not answer.
db_hostport=${DATABASE_URL#*@}
db_hostport=${db_hostport%%/*}
aws_base=${SQS_QUEUE_URL%/*/*}
if (exec 3<>"/dev/tcp/${db_hostport%:*}/${db_hostport##*:}") 2>/dev/null &&
    curl -fsS -o /dev/null "$aws_base/moto-api/" 2>/dev/null; then
    log "using the running Postgres ($db_hostport) and emulator ($aws_base)"
else
    scripts/stack.sh infra
fi

log "building the services and the eval client (release)"
cargo build --release --quiet --bins
cargo build --release --quiet -p frontend --example search_eval
BIN=$ROOT/target/release
CLIENT=$BIN/examples/search_eval

# A private copy of the system: every address differs from `make up`'s.
run_id=$(date +%s)-$$
DATABASE_URL="${DATABASE_URL%/*}/${EVAL_DATABASE:-catalog_eval}"
queue_base="${SQS_QUEUE_URL%/*}"
SQS_QUEUE_URL="$queue_base/catalog-eval-$run_id-jobs.fifo"
SQS_DLQ_URL="$queue_base/catalog-eval-$run_id-dlq.fifo"
SNS_TOPIC_ARN="${SNS_TOPIC_ARN%:*}:catalog-eval-$run_id-alerts"
PELICAN_HTTP_ADDR=127.0.0.1:${EVAL_PELICAN_PORT:-19101}
EMU_HTTP_ADDR=127.0.0.1:${EVAL_EMU_PORT:-19102}
FRONTEND_ADDR=127.0.0.1:${EVAL_FRONTEND_PORT:-18080}
# Short long-polls so that emu stops quickly at the end.
EMU_WAIT_TIME_S=1
VECTOR_STORE=pgvector
# Nobody logs in to the eval frontend: a throwaway key when .env has none.
FRONTEND_SESSION_KEY=${FRONTEND_SESSION_KEY:-$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')}
export DATABASE_URL SQS_QUEUE_URL SQS_DLQ_URL SNS_TOPIC_ARN PELICAN_HTTP_ADDR \
    EMU_HTTP_ADDR FRONTEND_ADDR EMU_WAIT_TIME_S VECTOR_STORE FRONTEND_SESSION_KEY

pids=()
stop_all() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}
trap stop_all EXIT

start() { # name
    "$BIN/$1" >"$LOGS/eval-$1.log" 2>&1 &
    pids+=($!)
}

ready() { # addr timeout_s
    local deadline=$((SECONDS + $2))
    until curl -fsS -o /dev/null "http://$1/readyz" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}

log "fresh database ${DATABASE_URL##*/} and queues catalog-eval-$run_id-*"
"$CLIENT" reset-db
"$BIN/catalogctl" migrate
"$BIN/catalogctl" setup-aws >/dev/null

log "starting pelican and emu (logs: .local/logs/eval-*.log)"
start pelican
start emu
ready "$PELICAN_HTTP_ADDR" 60 || die "pelican is not ready; see $LOGS/eval-pelican.log"
ready "$EMU_HTTP_ADDR" 120 || die "emu is not ready; see $LOGS/eval-emu.log"

log "importing $SET/products.csv"
"$BIN/catalogctl" import "$SET/products.csv"
"$CLIENT" wait-indexed --timeout-s 600

api=()
if [ "${EVAL_MODE:-api}" = api ] && [ -x "$BIN/frontend" ]; then
    start frontend
    if ready "$FRONTEND_ADDR" 120 &&
        curl -fsS -o /dev/null "http://$FRONTEND_ADDR/api/search?q=probe&k=1" 2>/dev/null; then
        api=(--api "http://$FRONTEND_ADDR")
    else
        log "the frontend serves no /api/search (see $LOGS/eval-frontend.log): measuring in process"
    fi
fi
[ ${#api[@]} -gt 0 ] && log "measuring through http://$FRONTEND_ADDR/api/search"
"$CLIENT" run "${api[@]}" --set "$SET" --out "$SET/results/latest.json" ${EVAL_VERBOSE:+--verbose}

# Item-level relevance in a crowded catalog: the same products inside the
# generated 10 000-product catalog, plus the needles (each alone in its
# category). Sets without needles.csv stop here.
if [ -f "$SET/needles.csv" ] && [ "${EVAL_CROWD:-1}" = 1 ]; then
    crowd=$ROOT/.local/eval-crowd
    mkdir -p "$crowd"
    "$BIN/catalogctl" generate --rows 10000 >"$crowd/generated.csv"
    "$CLIENT" needle-products --set "$SET" >"$crowd/needles.csv"
    log "adding the generated 10 000-product catalog and $SET/needles.csv (a few minutes to index)"
    "$BIN/catalogctl" import "$crowd/generated.csv"
    "$BIN/catalogctl" import "$crowd/needles.csv"
    "$CLIENT" wait-indexed --timeout-s 1800
    "$CLIENT" run "${api[@]}" --stage crowd --set "$SET" --out "$SET/results/latest.json"
fi
