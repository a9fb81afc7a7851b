#!/usr/bin/env bash
# The approval workflow under load (issue 8 target: 1,000 concurrent submissions and
# approvals keep p99 < 100 ms, with no lost or duplicated 申請番号). Release build, SQLite,
# the demo city, 127.0.0.1 only, bounded in count and time:
#   - phase 1: COUNT applications (電磁的記録媒体の使用, whose chain is only the applicant's
#     section manager) by the staff of eight sections, all in flight at once;
#   - phase 2: each section manager approves what waits in their inbox, all at once;
#   - then the numbers are checked through GET /api/v1/requests: COUNT new ones, distinct,
#     contiguous per prefix and year, all approved.
#   bash bench/wrk/requests.sh        (after make build)
# Environment: COUNT (1000), CONCURRENCY (in flight at most; default COUNT = all at once),
# TARGET_P99_MS (100; 0 = report only), TIMEOUT (300 s for the whole run),
# MAMORI_BIN (build/release/mamori), ACCESS_LOG (false).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${MAMORI_BIN:-"$here/build/release/mamori"}
[ -x "$bin" ] || { echo "build first: make build (or set MAMORI_BIN)" >&2; exit 1; }
command -v node >/dev/null || { echo "node (18 or later) missing" >&2; exit 1; }
count=${COUNT:-1000}; timeout_s=${TIMEOUT:-300}
case "$count" in ''|*[!0-9]*) echo "COUNT must be a number" >&2; exit 1;; esac
{ [ "$count" -ge 1 ] && [ "$count" -le 10000 ]; } || { echo "COUNT must be 1..10000" >&2; exit 1; }
tmp=$(mktemp -d); pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

demo_password='Demo-Bench-2026!'
MAMORI_ADMIN_PASSWORD='Bench-Passw0rd!' MAMORI_DEMO_PASSWORD="$demo_password" \
  "$bin" init --demo --data "$tmp/data" >/dev/null 2>&1
# No MFA for the demo managers (the benchmark cannot enrol them); no access log line per request.
sed -i -e "s/access_log: true/access_log: ${ACCESS_LOG:-false}/" \
       -e '/mfa_required_roles:/,/platform_admin\]/c\  mfa_required_roles: []' "$tmp/data/mamori.yaml"
grep -q 'mfa_required_roles: \[\]' "$tmp/data/mamori.yaml" || { echo "mfa_required_roles not replaced" >&2; exit 1; }
"$bin" check-config --data "$tmp/data" >/dev/null

${SERVER_PREFIX:-} "$bin" serve --data "$tmp/data" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 300); do grep -q 'serving on' "$tmp/out" 2>/dev/null && break; sleep 0.1; done
grep -q 'serving on' "$tmp/out" || { echo "server did not start:" >&2; cat "$tmp/out" "$tmp/err" >&2; exit 1; }
url=$(grep -o 'http://[^ ]*' "$tmp/out" | head -1); url=${url%/}
echo "server: $url (pid $pid), $count applications, concurrency ${CONCURRENCY:-$count}, access_log=${ACCESS_LOG:-false}"

rc=0
# The script has its own deadline (TIMEOUT); `timeout` is the backstop if it hangs.
MAMORI_URL="$url" DEMO_PASSWORD="$demo_password" COUNT="$count" TIMEOUT="$timeout_s" \
  timeout -k 5 $((timeout_s + 10)) node "$here/bench/wrk/requests.mjs" || rc=$?
echo "server RSS now: $(awk '/VmRSS/{print $2" "$3}' /proc/$pid/status), peak: $(awk '/VmHWM/{print $2" "$3}' /proc/$pid/status)"
# Anything the server logged at warning or above (e.g. a busy database or an internal error).
# (The API-only warning is expected: the benchmark does not need the web UI.)
problems=$(cat "$tmp/out" "$tmp/err" | grep -E 'Z (warning|error|critical) ' | grep -vc 'web UI not found' || true)
if [ "$problems" -gt 0 ]; then
  echo "server log: $problems warning/error lines, the first ones:"
  cat "$tmp/out" "$tmp/err" | grep -E 'Z (warning|error|critical) ' | grep -v 'web UI not found' | head -20
fi
kill -TERM $pid 2>/dev/null || true; wait $pid || true; pid=""
exit $rc
