# The two commands users need: `make up` and `make test`. Everything else is
# a convenience around scripts/ and catalogctl. See README.md.
SHELL := /bin/bash
# A failing command anywhere in a pipeline fails the recipe.
.SHELLFLAGS := -o pipefail -c
.DEFAULT_GOAL := help
CARGO ?= cargo

.PHONY: help up down status logs test lint fmt build model import deploy-check

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

test: ## the full test suite (starts the servers it needs)
	@scripts/stack.sh infra
	@scripts/stack.sh drop-test-databases
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings
	@scripts/check-deploy.sh
	@mkdir -p .local
	$(CARGO) test --release --workspace 2>&1 | tee .local/test.log
	@awk '/^test result:/ {p += $$4; f += $$6} END {printf "summary: %d passed, %d failed\n", p, f}' .local/test.log

deploy-check: ## static checks of docker/, compose.yaml and infra/ (hadolint, compose, jest, cdk synth, cfn-lint, checkov)
	@scripts/check-deploy.sh

lint: ## rustfmt check and clippy
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings

fmt: ## format the code
	$(CARGO) fmt --all

build: ## build every binary (release)
	$(CARGO) build --release --bins

model: ## fetch all-MiniLM-L6-v2 into MODEL_DIR (pinned, sha256-verified)
	@scripts/fetch-model.sh

import: build ## upsert products from a CSV: make import CSV=path/to/file.csv
	@test -n "$(CSV)" || { echo "usage: make import CSV=path/to/products.csv" >&2; exit 2; }
	@scripts/stack.sh infra
	@target/release/catalogctl import "$(CSV)"
