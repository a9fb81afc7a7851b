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
#     the expected items, paging through everything returns each incident once;
#   - phase 4 (wrk): the same filtered lists by the CSIRT with a client that costs almost
#     nothing (wrk, C), WRK_CONNECTIONS connections for WRK_SECONDS each, so that the figure
#     is the server's and not the Node client's, which shares the two cores.
#   bash bench/wrk/incidents.sh        (after make build)
# Environment: COUNT (10000, at most 20000), CONCURRENCY (20), LIST_COUNT (2000),
# LIST_CONCURRENCY (20), TARGET_P99_MS (50 for every phase; 0 = report only), TIMEOUT
# (600 s for the whole run), WRK_CONNECTIONS (20), WRK_SECONDS (5; 0 = no phase 4),
# MAMORI_BIN (build/release/mamori), ACCESS_LOG (false). The
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

wrk_seconds=${WRK_SECONDS:-5}; wrk_conns=${WRK_CONNECTIONS:-20}
case "$wrk_seconds$wrk_conns" in *[!0-9]*) echo "WRK_SECONDS and WRK_CONNECTIONS must be numbers" >&2; exit 1;; esac
if [ "$wrk_seconds" -gt 0 ] && [ "$rc" -ne 2 ]; then
  command -v wrk >/dev/null || { echo "wrk missing: make deps" >&2; exit 1; }
  cookie=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
             -d "{\"username\":\"soumu-csirt\",\"password\":\"$demo_password\"}" "$url/api/v1/auth/login" |
           sed -n 's/^[Ss]et-[Cc]ookie: mamori_session=\([^;]*\).*/\1/p' | head -1)
  [ -n "$cookie" ] || { echo "phase 4: login failed" >&2; exit 1; }
  echo "== phase 4: lists by the CSIRT with wrk -t1 -c$wrk_conns -d${wrk_seconds}s"
  worst=0
  for path in "/api/v1/incidents?limit=50" \
              "/api/v1/incidents?limit=50&state=accepted" \
              "/api/v1/incidents?limit=50&open=true&severity=high" \
              "/api/v1/incidents?limit=50&category=leak&personal_information=true" \
              "/api/v1/incidents?limit=50&q=INC-2026-00" \
              "/api/v1/incidents?limit=50&cursor=INC-2026-5000"; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -b "mamori_session=$cookie" "$url$path")
    [ "$status" = 200 ] || { echo "phase 4: $path answered $status" >&2; rc=1; continue; }
    out=$(wrk -t1 -c"$wrk_conns" -d"${wrk_seconds}s" --latency -H "Cookie: mamori_session=$cookie" "$url$path")
    p99=$(echo "$out" | awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}')
    rate=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    echo "   $path: p99 ${p99} ms, ${rate}/s${non2xx:+, $non2xx non-2xx}"
    worst=$(awk -v a="$worst" -v b="$p99" 'BEGIN {print (b > a) ? b : a}')
  done
  target=${TARGET_P99_MS:-50}
  if [ "$target" -gt 0 ] && awk -v w="$worst" -v t="$target" 'BEGIN {exit !(w >= t)}'; then
    echo "   FAIL phase 4: worst p99 $worst ms ≥ $target ms"; rc=1
  else
    echo "   phase 4: worst p99 $worst ms"
  fi
fi
demo_server_stop
exit $rc
