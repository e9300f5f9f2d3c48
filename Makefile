# The two commands users need: `make up` and `make test`. Everything else is
# a convenience around scripts/ and catalogctl. See README.md.
SHELL := /bin/bash
# A failing command anywhere in a pipeline fails the recipe.
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help
CARGO ?= cargo

.PHONY: help up down status logs test test-arm64 lint fmt build model import deploy-check eval hash-password openapi

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

up: ## install what's missing, start the local stack and all services with sample data
	@scripts/stack.sh up

down: ## stop everything `make up` started
	@scripts/stack.sh down

status: ## which local processes are running
	@scripts/stack.sh status

logs: ## follow the service logs
	@scripts/stack.sh logs

test: ## the full test suite (starts the servers it needs); order and timings: docs/testing.md
	@scripts/stack.sh infra
	@scripts/stack.sh drop-test-databases
	@scripts/lint.sh
	@scripts/check-deploy.sh
	@scripts/browser-deps.sh
	@scripts/test.sh

test-arm64: ## the workspace for aarch64 (Graviton): clippy, and the golden embedding test under qemu (~5 min)
	@scripts/test-arm64.sh

deploy-check: ## static checks of docker/, compose.yaml and infra/ (hadolint, compose, jest, cdk synth, cfn-lint, checkov)
	@scripts/check-deploy.sh

lint: ## rustfmt, clippy -D warnings, unused dependencies (cargo machete), crate boundaries
	@scripts/lint.sh

fmt: ## format the code
	$(CARGO) fmt --all

build: ## build every binary (release)
	$(CARGO) build --release --bins

model: ## fetch all-MiniLM-L6-v2 into MODEL_DIR (pinned, sha256-verified)
	@scripts/fetch-model.sh

eval: ## search quality on eval/ or EVAL_SET=dir (P@5, MRR@10, SKU/name top-1) through a private stack; writes eval/results/latest.json
	@scripts/eval.sh

hash-password: ## print an Argon2 hash for FRONTEND_USERS (reads the password from stdin)
	@$(CARGO) build --release --quiet --bin frontend
	@target/release/frontend hash-password

openapi: ## regenerate docs/openapi.json from the frontend's code (commit it)
	UPDATE_OPENAPI=1 $(CARGO) test --release -p frontend --test openapi committed_document

import: build ## upsert products from a CSV: make import CSV=path/to/file.csv
	@test -n "$(CSV)" || { echo "usage: make import CSV=path/to/products.csv" >&2; exit 2; }
	@scripts/stack.sh infra
	@target/release/catalogctl import "$(CSV)"

# Reliability (docs/reliability.md): verify the index against the table,
# and the fault-injection suite on a fresh database and fresh queues.
.PHONY: verify chaos

verify: ## compare products with the vector index (ARGS="--repair --sample 500"); exit 0 only when clean
	@$(CARGO) build --release --quiet --bin catalogctl
	@target/release/catalogctl verify $(ARGS)

chaos: ## fault-injection suite: 2 pelican + 3 emu, 20 000 products, kills/outages/poison; one JSON line per scenario
	@scripts/stack.sh infra
	$(CARGO) build --release --bins
	@mkdir -p .local
	target/release/chaos $(ARGS) | tee .local/chaos.jsonl

# Benchmarks (bench/, docs/performance.md): a fresh database and fresh queues
# on the local stack per run. ROWS sets the catalog size.
ROWS ?= 10000
.PHONY: bench bench-quick

bench: ## the full benchmark (ROWS=10000, ~30 min on 2 cores; installs PyTorch into .local/bench-venv once); updates docs/performance.md
	@scripts/stack.sh infra
	$(CARGO) build --release --bins
	target/release/bench run --rows $(ROWS)
	target/release/bench render

bench-quick: ## benchmark smoke run, ≤ 5 min (1 000 rows unless ROWS is given, no PyTorch peer)
	@scripts/stack.sh infra
	$(CARGO) build --release --bins
	target/release/bench run --quick --rows $(if $(filter command line environment,$(origin ROWS)),$(ROWS),1000)
