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
# MAMORI_BIN (build/release/mamori), ACCESS_LOG (false). The server's set-up and teardown are
# demo-server.sh's.
set -euo pipefail
# shellcheck source=bench/wrk/demo-server.sh
. "$(dirname "$0")/demo-server.sh"
count=${COUNT:-1000}; timeout_s=${TIMEOUT:-300}
case "$count" in ''|*[!0-9]*) echo "COUNT must be a number" >&2; exit 1;; esac
{ [ "$count" -ge 1 ] && [ "$count" -le 10000 ]; } || { echo "COUNT must be 1..10000" >&2; exit 1; }

demo_server_start
echo "server: $url (pid $pid), $count applications, concurrency ${CONCURRENCY:-$count}, access_log=${ACCESS_LOG:-false}"

rc=0
# The script has its own deadline (TIMEOUT); `timeout` is the backstop if it hangs.
MAMORI_URL="$url" DEMO_PASSWORD="$demo_password" COUNT="$count" TIMEOUT="$timeout_s" \
  timeout -k 5 $((timeout_s + 10)) node "$here/bench/wrk/requests.mjs" || rc=$?
demo_server_stop
exit $rc
