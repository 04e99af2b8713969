#!/usr/bin/env bash
# The production start path exactly as the image runs it, without Docker: built output and
# production dependencies only, in a directory of its own, as a non-root user. It must serve,
# refuse to start open in production, and exit 0 on SIGTERM.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d dist ] || { echo "run npm run build first" >&2; exit 1; }

app="$(mktemp -d)"
log="$(mktemp)"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  rm -rf "$app" "$log"
}
trap cleanup EXIT

cp -r dist package.json package-lock.json "$app/"
(cd "$app" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
if [ -d "$app/node_modules/typescript" ] || [ -d "$app/node_modules/mocha" ]; then
  echo "dev dependencies leaked into the production install" >&2; exit 1
fi

run_as=()
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
  chmod -R a+rX "$app"
  run_as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
fi

port="${CHECK_PORT:-18931}"
key="sk-production-check-key-0123456789"
(cd "$app" && NODE_ENV=production PORT="$port" HOST=127.0.0.1 LOG_LEVEL=warn API_KEYS="check:$key" SHUTDOWN_DELAY_MS=0 \
  "${run_as[@]}" node --max-semi-space-size=16 --heap-growing-percent=50 --no-allocation-site-pretenuring --no-memory-reducer dist/src/main.js) >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/health/live" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$port/health/live"; echo
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $key" "http://127.0.0.1:$port/v1/providers")
[ "$status" = 200 ] || { echo "GET /v1/providers with the key answered $status" >&2; cat "$log" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/v1/providers")
[ "$status" = 401 ] || { echo "GET /v1/providers without a key answered $status, not 401" >&2; cat "$log" >&2; exit 1; }

kill -TERM "$pid"
if wait "$pid"; then pid=""; else echo "exit code $? after SIGTERM" >&2; cat "$log" >&2; exit 1; fi

if (cd "$app" && NODE_ENV=production PORT=0 node dist/src/main.js) >/dev/null 2>&1; then
  echo "production started without any API key" >&2; exit 1
fi
echo "production start path (production dependencies only${run_as:+, as nobody}): ok"
