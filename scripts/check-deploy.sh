#!/usr/bin/env bash
# Static checks of the containers and the AWS deployment (no Docker engine,
# no AWS credentials needed). Run by `make test`; safe to re-run.
#
#   1. hadolint on docker/Dockerfile                (docker/.hadolint.yaml)
#   2. compose.yaml: files, targets, variables, ports (scripts/check_compose.py)
#   3. infra/: npm ci, type check, jest, cdk synth (dev and prod)
#   4. cfn-lint and checkov on the synthesized templates
#                                  (infra/.cfnlintrc.yaml, infra/.checkov.yaml)
#
# Installs what it needs: the pinned Python tools (scripts/requirements-deploy.txt)
# into .local/deploy-venv, the npm packages (infra/package-lock.json) into
# infra/node_modules; both are reused while their pins are unchanged.
# Quiet on success; on failure prints the failing step and its output.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.local/deploy-venv
REQ=$ROOT/scripts/requirements-deploy.txt
LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true npm_config_update_notifier=false \
    npm_config_fund=false npm_config_audit=false PIP_DISABLE_PIP_VERSION_CHECK=1
# Synth must not depend on whoever runs it.
unset CDK_DEFAULT_ACCOUNT CDK_DEFAULT_REGION AWS_PROFILE

failed=()
step() { # step NAME COMMAND...: run quietly, report on failure, keep going
    local name=$1
    shift
    if ! "$@" >"$LOG/out" 2>&1; then
        echo "check-deploy: FAILED: $name" >&2
        sed 's/^/    /' "$LOG/out" >&2
        failed+=("$name")
        return 1
    fi
}
need() { # need NAME COMMAND...: like step, but stop on failure (later steps depend on it)
    step "$@" || { echo "check-deploy: stopping: later checks need '$1'" >&2; exit 1; }
}

install_python_tools() {
    local stamp=$VENV/.requirements.sha256 want
    want=$(sha256sum "$REQ" | cut -d' ' -f1)
    if [ -x "$VENV/bin/checkov" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --upgrade pip
    "$VENV/bin/python" -m pip install --quiet -r "$REQ"
    echo "$want" >"$stamp"
}

install_node_modules() {
    local stamp=infra/node_modules/.package-lock.sha256 want
    want=$(sha256sum infra/package-lock.json | cut -d' ' -f1)
    if [ -d infra/node_modules ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    (cd infra && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" >"$stamp"
}

synth() { # synth ENV OUTDIR [CDK ARGS...]
    local env=$1 out=$2
    shift 2
    rm -rf "infra/$out"
    (cd infra && npx --no-install cdk synth --quiet --no-notices -c env="$env" -o "$out" "$@")
}

# prod refuses to synthesize without HTTPS; a syntactically valid ARN of no
# real certificate lets the checks see the prod template as deployed.
PROD_TEST_CERTIFICATE=arn:aws:acm:us-east-1:000000000000:certificate/00000000-0000-0000-0000-000000000000

cfn_lint() {
    (cd infra && "$VENV/bin/cfn-lint" cdk.out/*.template.json cdk.out.prod/*.template.json)
}

checkov_scan() {
    local t
    for t in infra/cdk.out/*.template.json infra/cdk.out.prod/*.template.json; do
        "$VENV/bin/checkov" --config-file infra/.checkov.yaml -f "$t" || return 1
    done
}

need "install Python tools (scripts/requirements-deploy.txt)" install_python_tools
step "hadolint docker/Dockerfile" "$VENV/bin/hadolint" --no-color --config docker/.hadolint.yaml docker/Dockerfile || true
step "compose.yaml" "$VENV/bin/python" scripts/check_compose.py compose.yaml || true
need "npm ci (infra)" install_node_modules
step "typecheck (infra)" bash -c 'cd infra && npx --no-install tsc --noEmit -p .' || true
step "jest (infra)" bash -c 'cd infra && npx --no-install jest --silent' || true
need "cdk synth -c env=dev" synth dev cdk.out
need "cdk synth -c env=prod" synth prod cdk.out.prod -c certificateArn="$PROD_TEST_CERTIFICATE"
step "cfn-lint" cfn_lint || true
step "checkov" checkov_scan || true

if [ ${#failed[@]} -gt 0 ]; then
    echo "check-deploy: ${#failed[@]} check(s) failed: ${failed[*]}" >&2
    exit 1
fi
