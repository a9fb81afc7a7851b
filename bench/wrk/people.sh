#!/usr/bin/env bash
# Authenticated list benchmark (issue 3 target: GET /api/v1/people?limit=50 with 10,000
# people, ≥ 20,000 requests/s). SQLite, release build, 127.0.0.1 only, bounded duration.
#   bash bench/wrk/people.sh        (after make build)
# Environment: DURATION (10), CONNECTIONS (64), THREADS (1), PEOPLE (10000),
# READ_CACHE_SECONDS (the config's server.read_cache_seconds; 0 = read every request).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin="$here/build/release/mamori"
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
for t in wrk sqlite3 curl; do command -v $t >/dev/null || { echo "$t missing: make deps" >&2; exit 1; }; done
duration=${DURATION:-10}; conns=${CONNECTIONS:-64}; threads=${THREADS:-1}; people=${PEOPLE:-10000}
tmp=$(mktemp -d); pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

MAMORI_ADMIN_PASSWORD='Bench-Passw0rd!' "$bin" init --data "$tmp/data" >/dev/null
# No MFA for the benchmark's administrator; no access log line per request.
sed -i -e "s/access_log: true/access_log: ${ACCESS_LOG:-false}/" \
       -e "s/read_cache_seconds: 5/read_cache_seconds: ${READ_CACHE_SECONDS:-5}/" \
       -e '/mfa_required_roles:/,/platform_admin\]/c\  mfa_required_roles: []' "$tmp/data/mamori.yaml"
"$bin" check-config --data "$tmp/data" >/dev/null

# 10,000 people in one section, sharing the administrator's password hash (hashing each
# with argon2id would take minutes and is not what is measured).
sqlite3 "$tmp/data/mamori.db" <<SQL
INSERT INTO units (id, name, kind, parent_id, status, created_at, updated_at)
  VALUES ('u-dept', 'ベンチ部', 'department', NULL, 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
         ('u-sect', 'ベンチ課', 'section', 'u-dept', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $people)
INSERT INTO people (id, username, display_name, reading, email, unit_id, employment_type, status,
                    password_hash, password_changed_at, must_change_password, created_at, updated_at)
  SELECT printf('p%05d', i), printf('user%05d', i), printf('職員 %05d', i), 'しょくいん',
         printf('user%05d@example.jp', i), 'u-sect', 'regular', 'active',
         (SELECT password_hash FROM people WHERE username = 'admin'), '2026-01-01T00:00:00Z', 0,
         '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
  FROM n;
SQL

${SERVER_PREFIX:-} "$bin" serve --data "$tmp/data" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
pid=$!
for _ in $(seq 100); do grep -q 'serving on' "$tmp/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$tmp/out" | head -1); url=${url%/}

# Log in, complete the forced password change, keep the session cookie and CSRF token.
login=$(curl -s -c "$tmp/jar" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"Bench-Passw0rd!"}' "$url/api/v1/auth/login")
csrf=$(echo "$login" | sed -E 's/.*"csrf_token":"([^"]+)".*/\1/')
curl -s -b "$tmp/jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $csrf" \
  -d '{"current_password":"Bench-Passw0rd!","new_password":"Bench-Passw0rd-2"}' \
  "$url/api/v1/auth/password" >/dev/null
cookie=$(awk '$6 == "mamori_session" {print $7}' "$tmp/jar")
status=$(curl -s -o "$tmp/page" -w '%{http_code}' -b "mamori_session=$cookie" "$url/api/v1/people?limit=50")
[ "$status" = 200 ] || { echo "list failed: $status $(cat "$tmp/page")" >&2; exit 1; }
echo "server: $url, $people people, one page = $(wc -c <"$tmp/page") bytes, wrk -t$threads -c$conns -d${duration}s"
for path in ${EXTRA_PATHS:-}; do echo "== GET $path"; wrk -t"$threads" -c"$conns" -d"${duration}s" -H "Cookie: mamori_session=$cookie" "$url$path" | grep -E "Requests/sec"; done
echo "== GET /api/v1/people?limit=50 (authenticated)"
wrk -t"$threads" -c"$conns" -d"${duration}s" --latency -H "Cookie: mamori_session=$cookie" \
  "$url/api/v1/people?limit=50" | grep -E 'Requests/sec|Latency|99%|Non-2xx|Socket errors'
echo "server RSS peak: $(awk '/VmHWM/{print $2" "$3}' /proc/$pid/status)"
