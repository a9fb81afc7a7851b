#!/usr/bin/env bash
# The asset register at city scale (issue 7 targets), SQLite, release build, 127.0.0.1 only,
# bounded in time:
#   - GET /api/v1/assets with filters over 100,000 assets: p99 < 50 ms at 200 requests/s
#     (wrk is closed-loop: few connections, so the rate it reaches is ≥ 200/s and the
#     latency percentiles are those of a server that is not saturated);
#   - export of 100,000 rows (CSV and XLSX) < 5 s;
#   - import of 100,000 rows (CSV, all created, one transaction) < 10 s.
#   bash bench/wrk/assets.sh        (after make build)
# Environment: ASSETS (100000), DURATION (10), CONNECTIONS (4).
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
bin="$here/build/release/mamori"
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 1; }
for t in wrk sqlite3 curl; do command -v $t >/dev/null || { echo "$t missing: make deps" >&2; exit 1; }; done
assets=${ASSETS:-100000}; duration=${DURATION:-10}; conns=${CONNECTIONS:-4}
tmp=$(mktemp -d); pid=""
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"' EXIT

# A data directory whose administrator is also section manager of the one department (so
# it may read and change the register), with `assets` rows when $2 is "seed".
prepare() {
  local data=$1
  MAMORI_ADMIN_PASSWORD='Bench-Passw0rd!' "$bin" init --data "$data" >/dev/null
  sed -i -e "s/access_log: true/access_log: false/" \
         -e '/mfa_required_roles:/,/platform_admin\]/c\  mfa_required_roles: []' "$data/mamori.yaml"
  sqlite3 "$data/mamori.db" <<SQL
INSERT INTO units (id, name, kind, parent_id, status, created_at, updated_at)
  VALUES ('u-dept', 'ベンチ部', 'department', NULL, 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
         ('u-a', 'ベンチ一課', 'section', 'u-dept', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
         ('u-b', 'ベンチ二課', 'section', 'u-dept', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
INSERT INTO appointments (id, person_id, role, unit_id, starts_on, created_at, updated_at)
  SELECT 'ap-bench', id, 'section_manager', 'u-dept', '2026-01-01', '2026-01-01T00:00:00Z',
         '2026-01-01T00:00:00Z' FROM people WHERE username = 'admin';
INSERT INTO systems (id, name, purpose, owner_unit_id, zone, hosting, vendor, highest_confidentiality,
                     status, created_at, updated_at)
  VALUES ('s-1', '住民記録システム', '', 'u-a', 'mynumber', 'datacenter', '', '3A', 'in_use', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'),
         ('s-2', '財務会計システム', '', 'u-b', 'lgwan', 'onprem', '', '3B', 'in_use', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
SQL
  if [ "${2:-}" = seed ]; then
    sqlite3 "$data/mamori.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $assets)
INSERT INTO assets (id, asset_number, name, description, owner_unit_id, form, system_id,
                    storage_location, confidentiality, integrity, availability, personal_info,
                    specific_personal_info, retention, copies, label_text, next_review_on, notes,
                    status, created_at, updated_at)
  SELECT printf('a%06d', i), printf('A-%06d', i), printf('業務資料 %06d 号', i), '説明文',
         CASE i % 2 WHEN 0 THEN 'u-a' ELSE 'u-b' END, 'electronic',
         CASE i % 3 WHEN 0 THEN 's-1' WHEN 1 THEN 's-2' ELSE NULL END, '書庫',
         CASE i % 5 WHEN 0 THEN '3A' WHEN 1 THEN '3B' WHEN 2 THEN '3C' WHEN 3 THEN '2' ELSE '1' END,
         '2', '2', i % 2, 0, '5年', 1, '', printf('2027-%02d-01', 1 + i % 12), '',
         'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'
  FROM n;
SQL
  fi
}

start() {
  ${SERVER_PREFIX:-} "$bin" serve --data "$1" --listen 127.0.0.1:0 >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  # The first start indexes the seeded rows' text for search (a few seconds).
  for _ in $(seq 600); do grep -q 'serving on' "$tmp/out" 2>/dev/null && break; sleep 0.1; done
  url=$(grep -o 'http://[^ ]*' "$tmp/out" | head -1); url=${url%/}
  rm -f "$tmp/jar"
  login=$(curl -s -c "$tmp/jar" -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"Bench-Passw0rd!"}' "$url/api/v1/auth/login")
  csrf=$(echo "$login" | sed -E 's/.*"csrf_token":"([^"]+)".*/\1/')
  changed=$(curl -s -b "$tmp/jar" -c "$tmp/jar" -H 'Content-Type: application/json' \
    -H "X-CSRF-Token: $csrf" \
    -d '{"current_password":"Bench-Passw0rd!","new_password":"Bench-Passw0rd-2"}' \
    "$url/api/v1/auth/password")
  if echo "$changed" | grep -q csrf_token; then
    csrf=$(echo "$changed" | sed -E 's/.*"csrf_token":"([^"]+)".*/\1/')
  fi
  cookie=$(awk '$6 == "mamori_session" {print $7}' "$tmp/jar")
}

stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

prepare "$tmp/big" seed
start "$tmp/big"
echo "server: $url, $assets assets, wrk -t1 -c$conns -d${duration}s"
for path in "/api/v1/assets?limit=50" \
            "/api/v1/assets?limit=50&unit_id=u-a&confidentiality=3B&personal_info=true" \
            "/api/v1/assets?limit=50&zone=mynumber&review_due_by=2027-03-01" \
            "/api/v1/assets?limit=50&sort=-name" \
            "/api/v1/assets?limit=50&q=%E8%B3%87%E6%96%99%2012345" \
            "/api/v1/assets?limit=50&q=%E7%A8%8E%E5%8B%99" \
            "/api/v1/assets?limit=50&q=%E8%B3%87%E6%96%99" \
            "/api/v1/assets?limit=50&q=%E8%B3%87%E6%96%99&confidentiality=3B&personal_info=true" \
            "/api/v1/assets?limit=50&q=%E4%BD%8F%E6%B0%91%E5%9F%BA%E6%9C%AC%E5%8F%B0%E5%B8%B3"; do
  status=$(curl -s -o "$tmp/page" -w '%{http_code}' -b "mamori_session=$cookie" "$url$path")
  [ "$status" = 200 ] || { echo "list failed: $status $(cat "$tmp/page")" >&2; exit 1; }
  echo "== GET $path"
  wrk -t1 -c"$conns" -d"${duration}s" --latency -H "Cookie: mamori_session=$cookie" "$url$path" |
    grep -E 'Requests/sec|^ +99%|Non-2xx'
done
for format in csv xlsx; do
  t=$(curl -s -o "$tmp/export.$format" -w '%{time_total}' -b "mamori_session=$cookie" \
        "$url/api/v1/assets/export?format=$format")
  echo "== export $format: ${t} s, $(wc -c <"$tmp/export.$format") bytes"
done
stop

# Import the exported rows into an empty register: every row is created, with its audit
# event, in one transaction. Asset numbers are kept, so all 100,000 rows are creations.
prepare "$tmp/empty"
start "$tmp/empty"
t=$(curl -s -o "$tmp/import" -w '%{time_total} %{http_code}' -b "mamori_session=$cookie" \
      -H "X-CSRF-Token: $csrf" \
      -H 'Content-Type: text/csv' --data-binary @"$tmp/export.csv" "$url/api/v1/assets/import")
echo "== import csv ($assets rows): $t  $(head -c 120 "$tmp/import")"
echo "server RSS peak: $(awk '/VmHWM/{print $2" "$3}' /proc/$pid/status)"
stop
