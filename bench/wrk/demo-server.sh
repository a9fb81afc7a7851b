# shellcheck shell=bash
# Sourced by the bench/wrk scripts that drive a real server with the demo city over HTTP
# (requests.sh, incidents.sh); not run on its own. Release build, SQLite, 127.0.0.1 only.
#
# On sourcing: checks the binary (MAMORI_BIN, default build/release/mamori) and node, and sets
#   here            the repository root
#   bin             the mamori binary
#   demo_password   the password of every demo account (the admin's is another, fixed one)
# demo_server_start  makes a data directory in a temporary folder with the demo city
#                    (`init --demo`), no MFA for anyone (the benchmarks cannot enrol the
#                    managers) and no access log unless ACCESS_LOG=true, starts the server on
#                    127.0.0.1:0 and waits for it; sets tmp, pid and url. The folder and the
#                    server are removed on exit, whatever happens. SERVER_PREFIX (e.g. `perf
#                    record -g --`) is put before the server's command.
# demo_server_stop   prints the server's RSS now and at its peak, any line it logged at
#                    warning or above, and stops it.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bin=${MAMORI_BIN:-"$here/build/release/mamori"}
[ -x "$bin" ] || { echo "build first: make build (or set MAMORI_BIN)" >&2; exit 1; }
command -v node >/dev/null || { echo "node (18 or later) missing" >&2; exit 1; }
demo_password='Demo-Bench-2026!'
tmp=""; pid=""; url=""

demo_server_start() {
  tmp=$(mktemp -d); pid=""
  trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

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
}

demo_server_stop() {
  echo "server RSS now: $(awk '/VmRSS/{print $2" "$3}' /proc/"$pid"/status), peak: $(awk '/VmHWM/{print $2" "$3}' /proc/"$pid"/status)"
  # Anything the server logged at warning or above (e.g. a busy database or an internal error).
  # (The API-only warning is expected: the benchmark does not need the web UI.)
  local problems
  problems=$(cat "$tmp/out" "$tmp/err" | grep -E 'Z (warning|error|critical) ' | grep -vc 'web UI not found' || true)
  if [ "$problems" -gt 0 ]; then
    echo "server log: $problems warning/error lines, the first ones:"
    cat "$tmp/out" "$tmp/err" | grep -E 'Z (warning|error|critical) ' | grep -v 'web UI not found' | head -20
  fi
  kill -TERM "$pid" 2>/dev/null || true; wait "$pid" || true; pid=""
}
