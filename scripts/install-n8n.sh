#!/usr/bin/env bash
# Installs the pinned n8n (see DEFAULT_N8N_VERSION in scripts/n8n-runtime/profile.js) into .tools/n8n,
# reusing an existing install of that version. Prints the path of the n8n CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node -e '
require("./scripts/n8n-runtime").ensureN8n()
  .then((bin) => console.log(bin))
  .catch((error) => { console.error(error.message); process.exit(1); });
'
