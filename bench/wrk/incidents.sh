#!/usr/bin/env bash
# Incidents at city scale (issue 9 target: creating 10,000 incidents with timelines and
# listing them with filters keeps p99 under 50 ms). Release build, SQLite, the demo city,
# 127.0.0.1 only, bounded in count and time:
#   - phase 1: COUNT incidents reported by the staff of eight sections, round robin, each
#     followed by a note by the reporter and an action by the section manager (three requests
#     in a chain), CONCURRENCY chains in flight; report and timeline latencies apart;
#   - phase 2: the CSIRT accepts about a quarter of them, with severities low … critical;
#   - phase 3: LIST_COUNT GET /api/v1/incidents with a mix of filters, pages 2-3 by cursor,
#     by the CSIRT and by section managers (their section only), LIST_CONCURRENCY in flight;
#   - then: numbers distinct and contiguous, 50 timelines complete, every list answer exactly
#     the expected items, paging through everything returns each incident once.
#   bash bench/wrk/incidents.sh        (after make build)
# Environment: COUNT (10000, at most 20000), CONCURRENCY (20), LIST_COUNT (2000),
# LIST_CONCURRENCY (20), TARGET_P99_MS (50 for every phase; 0 = report only), TIMEOUT
# (600 s for the whole run), MAMORI_BIN (build/release/mamori), ACCESS_LOG (false). The
# server's set-up and teardown are demo-server.sh's; the client is incidents.mjs.
set -euo pipefail
# shellcheck source=bench/wrk/demo-server.sh
. "$(dirname "$0")/demo-server.sh"
count=${COUNT:-10000}; timeout_s=${TIMEOUT:-600}
case "$count" in ''|*[!0-9]*) echo "COUNT must be a number" >&2; exit 1;; esac
{ [ "$count" -ge 1 ] && [ "$count" -le 20000 ]; } || { echo "COUNT must be 1..20000" >&2; exit 1; }
case "$timeout_s" in ''|*[!0-9]*) echo "TIMEOUT must be a number" >&2; exit 1;; esac

demo_server_start
echo "server: $url (pid $pid), $count incidents, concurrency ${CONCURRENCY:-20}," \
     "${LIST_COUNT:-2000} lists, list concurrency ${LIST_CONCURRENCY:-20}, access_log=${ACCESS_LOG:-false}"

rc=0
# The script has its own deadline (TIMEOUT); `timeout` is the backstop if it hangs.
MAMORI_URL="$url" DEMO_PASSWORD="$demo_password" COUNT="$count" TIMEOUT="$timeout_s" \
  timeout -k 5 $((timeout_s + 10)) node "$here/bench/wrk/incidents.mjs" || rc=$?
demo_server_stop
exit $rc
