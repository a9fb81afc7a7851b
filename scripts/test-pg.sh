#!/usr/bin/env bash
# Starts or stops the throw-away PostgreSQL cluster that the tests use.
#   test-pg.sh start DIR   initdb into DIR, start on a free port on 127.0.0.1, write DIR/url
#   test-pg.sh stop DIR    stop the cluster and remove DIR
#   test-pg.sh pause DIR   stop the server but keep its data (to test an outage)
#   test-pg.sh resume DIR  start a paused server again on the same port
# As root, the server runs as the 'postgres' system user (PostgreSQL refuses to run as root).
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bindir/pg_ctl" ] || { echo "test-pg: PostgreSQL server binaries not found; run scripts/install-deps.sh" >&2; exit 1; }

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# fsync off: a test cluster need not survive a power cut, and it makes the tests faster.
start_server() {
  as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $1 -k $dir/sock -c fsync=off -c max_connections=200" start >/dev/null
}

case "$cmd" in
start)
  if [ -f "$dir/url" ] && as_pg "$bindir/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    echo "test-pg: already running: $(cat "$dir/url")"; exit 0
  fi
  rm -rf "$dir"; mkdir -p "$dir/sock"
  [ "$(id -u)" -eq 0 ] && chown -R postgres:postgres "$dir"
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
         || shuf -i 20000-60000 -n 1)
  as_pg "$bindir/initdb" -D "$dir/data" -U mamori --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1
  start_server "$port"
  echo "postgresql://mamori@127.0.0.1:$port/postgres" > "$dir/url"
  chmod 644 "$dir/url"
  echo "test-pg: started $(cat "$dir/url")"
  ;;
stop)
  if [ -d "$dir/data" ]; then as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  echo "test-pg: stopped"
  ;;
pause)
  as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  ;;
resume)
  port=$(sed -E 's/.*:([0-9]+)\/.*/\1/' "$dir/url")
  start_server "$port"
  ;;
*) echo "usage: test-pg.sh start|stop|pause|resume DIR" >&2; exit 2 ;;
esac
