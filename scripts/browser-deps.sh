#!/usr/bin/env bash
# Installs what the real-browser test (frontend/tests/browser.rs) needs, if it
# is missing: Debian's headless Chromium and the pinned playwright-core that
# drives it (frontend/tests/browser/package-lock.json). Idempotent and quick
# when everything is already there; `make test` runs it before the tests.
#
# Why Debian's chromium and not `npx playwright install`: downloading a
# browser build is not possible on our machines; playwright-core drives any
# Chromium through executablePath.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
browser_dir="$root/frontend/tests/browser"
chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"

fail() {
    echo "browser-deps: $*" >&2
    exit 1
}

if [[ ! -x "$chromium" ]]; then
    [[ "$(id -u)" == 0 ]] || fail "$chromium is missing; install the Debian package 'chromium' as root (apt-get install chromium)"
    echo "browser-deps: installing chromium (Debian package)"
    export DEBIAN_FRONTEND=noninteractive
    # An old or empty package list knows no chromium: refresh it once.
    if ! apt-get install -y -q --no-install-recommends chromium >/dev/null; then
        apt-get update -q >/dev/null
        apt-get install -y -q --no-install-recommends chromium >/dev/null \
            || fail "apt-get install chromium failed"
    fi
    [[ -x "$chromium" ]] || fail "chromium installed but $chromium is not there"
fi

command -v node >/dev/null || fail "node is missing (Debian package 'nodejs', version 20 or later)"
command -v npm >/dev/null || fail "npm is missing (Debian package 'npm')"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 20 )) || fail "node $node_major is too old; playwright-core needs 20 or later"

# Reinstall only when the lock file changed since the last install (npm keeps
# its own copy of the lock in node_modules/.package-lock.json).
lock="$browser_dir/package-lock.json"
installed="$browser_dir/node_modules/.package-lock.json"
if [[ ! -f "$installed" || "$lock" -nt "$installed" || ! -d "$browser_dir/node_modules/playwright-core" ]]; then
    echo "browser-deps: installing playwright-core (npm ci)"
    (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error) \
        || fail "npm ci in $browser_dir failed"
fi
