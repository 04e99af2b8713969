#!/usr/bin/env bash
# Starts the built service exactly as the container's CMD does and checks that it serves and that
# SIGTERM stops it with exit code 0.
set -euo pipefail
cd "$(dirname "$0")/.."
port="${SMOKE_PORT:-18931}"
log="$(mktemp)"
key="sk-smoke-test-key-0123456789"
NODE_ENV=production PORT="$port" HOST=127.0.0.1 LOG_LEVEL=warn API_KEYS="smoke:$key" node dist/src/main.js >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  if curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/health/live"; echo
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/providers")
[ "$status" = 200 ] || { echo "GET /v1/providers with the key answered $status" >&2; cat "$log" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/providers")
[ "$status" = 401 ] || { echo "GET /v1/providers without a key answered $status, not 401" >&2; cat "$log" >&2; exit 1; }
if NODE_ENV=production PORT=0 node dist/src/main.js >/dev/null 2>&1; then
  echo "production started without any API key" >&2; exit 1
fi
kill -TERM "$pid"
if wait "$pid"; then echo "production start path: ok"; else echo "exit code $? after SIGTERM" >&2; cat "$log" >&2; exit 1; fi
trap - EXIT
rm -f "$log"
