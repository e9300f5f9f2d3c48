#!/bin/bash
# Container health probe without curl: GET a path on the service's own HTTP
# address over bash's /dev/tcp and succeed on a 200 status line.
#
#   healthcheck ADDR_VARIABLE [PATH]     e.g. healthcheck EMU_HTTP_ADDR /healthz
#
# ADDR_VARIABLE names the setting the service binds to (host:port); a
# wildcard host (0.0.0.0, [::]) is probed on the loopback address.
set -u
var=${1:?usage: healthcheck ADDR_VARIABLE [PATH]}
path=${2:-/healthz}
addr=${!var:-}
[ -n "$addr" ] || { echo "healthcheck: $var is not set" >&2; exit 1; }
port=${addr##*:}
host=${addr%:*}
host=${host#[}
host=${host%]}
case "$host" in
    "" | 0.0.0.0) host=127.0.0.1 ;;
    ::) host=::1 ;;
esac
exec 3<>"/dev/tcp/$host/$port" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' "$path" >&3
IFS= read -r -t 5 status <&3 || { echo "healthcheck: no answer from $host:$port" >&2; exit 1; }
case "$status" in
    "HTTP/1."?" 200"*) exit 0 ;;
    *) echo "healthcheck: $path answered: ${status%$'\r'}" >&2; exit 1 ;;
esac
