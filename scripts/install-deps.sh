#!/usr/bin/env bash
# Installs every Debian package that mamori's build, tests, benchmarks and server need.
# Idempotent: asks dpkg what is already there and calls apt-get only for what is missing,
# so a second run takes well under a second. Run as root or with sudo available.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git clang-format
  # libraries (Boost 1.81: Asio, Beast, URL, JSON)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libexpected-dev libsqlite3-dev sqlite3 libpq-dev libssl-dev libsodium-dev
  liboath-dev oathtool libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libxlsxwriter-dev libarchive-dev libcsv-dev libexpat1-dev
  # outgoing mail (SMTP): incident notifications
  libcurl4-openssl-dev
  # PostgreSQL server: the tests start their own throw-away cluster
  postgresql postgresql-client
  # tests and benchmarks
  googletest libgtest-dev libgmock-dev libbenchmark-dev wrk curl openssl procps util-linux
  # the web UI: Node.js builds it; Debian's Chromium runs the browser tests (no downloads)
  nodejs chromium fonts-noto-cjk
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [ "$status" = "installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

# The web UI, once it exists, installs its npm packages from the lock file.
here=$(cd "$(dirname "$0")/.." && pwd)
if [ -f "$here/web/package-lock.json" ]; then
  stamp="$here/web/node_modules/.install-stamp"
  if [ ! -f "$stamp" ] || [ "$here/web/package-lock.json" -nt "$stamp" ]; then
    (cd "$here/web" && npm ci --no-audit --no-fund) && touch "$stamp"
  fi
fi

# The OSCAL schema test validates with Ajv (tests/oscal/), installed from its lock file.
if [ -f "$here/tests/oscal/package-lock.json" ]; then
  stamp="$here/tests/oscal/node_modules/.install-stamp"
  if [ ! -f "$stamp" ] || [ "$here/tests/oscal/package-lock.json" -nt "$stamp" ]; then
    (cd "$here/tests/oscal" && npm ci --no-audit --no-fund) && touch "$stamp"
  fi
fi
