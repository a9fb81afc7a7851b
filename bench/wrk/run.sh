#!/usr/bin/env bash
# Load test of the release binary on 127.0.0.1 only: /healthz (answered on the I/O threads)
# and /readyz (a database round trip on the worker pool). Bounded: DURATION seconds each.
#   bash bench/wrk/run.sh            (after make build)
# Environment: DURATION (10), CONNECTIONS (64), THREADS (1), ACCESS_LOG (false).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin="$here/build/release/mamori"
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk missing: make deps" >&2; exit 1; }
duration=${DURATION:-10}; conns=${CONNECTIONS:-64}; threads=${THREADS:-1}
tmp=$(mktemp -d); trap 'kill $pid 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

MAMORI_ADMIN_PASSWORD='Bench-Passw0rd!' "$bin" init --data "$tmp/data" >/dev/null
sed -i "s/access_log: true/access_log: ${ACCESS_LOG:-false}/" "$tmp/data/mamori.yaml"
"$bin" serve --data "$tmp/data" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q 'serving on' "$tmp/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$tmp/out" | head -1)
url=${url%/}
echo "server: $url (pid $pid), wrk -t$threads -c$conns -d${duration}s, access_log=${ACCESS_LOG:-false}"

for path in /healthz /readyz; do
  echo "== GET $path"
  wrk -t"$threads" -c"$conns" -d"${duration}s" --latency "$url$path" | grep -E 'Requests/sec|Latency|99%|Non-2xx|Socket errors'
  echo "server RSS now: $(awk '/VmRSS/{print $2" "$3}' /proc/$pid/status), peak: $(awk '/VmHWM/{print $2" "$3}' /proc/$pid/status)"
done
kill -TERM $pid; wait $pid || true
