#!/usr/bin/env bash
# The oscal_schema test: exports the shipped policy catalog as OSCAL and validates it against
# NIST's OSCAL catalog JSON schema (tests/data/oscal/, see its README) with Ajv. Offline:
# Ajv comes from tests/oscal/node_modules, installed by `make deps` (npm ci from the lock file).
#   run.sh EXPORT_TOOL OUT_DIR
set -euo pipefail
tool=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$here/node_modules/ajv" ] || [ ! -d "$here/node_modules/ajv-formats" ]; then
  echo "oscal_schema: Ajv is missing; run: npm ci --prefix tests/oscal (make deps does)" >&2
  exit 1
fi
mkdir -p "$out"
"$tool" "$out/hirakawa-oscal.json"
"${NODE:-node}" "$here/validate.mjs" "$here/../data/oscal/oscal_catalog_schema.json" "$out/hirakawa-oscal.json"
