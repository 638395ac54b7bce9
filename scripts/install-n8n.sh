#!/usr/bin/env bash
# Installs n8n versions into .tools/ (see N8N_VERSIONS in scripts/n8n-runtime/profile.js), one after
# the other, reusing any install already there; with no argument, the pinned version. Prints the
# path of each n8n CLI. `.ci/run` starts it in the background so the installs overlap the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
exec node -e '
const rt = require("./scripts/n8n-runtime");
(async () => {
	for (const version of process.argv.slice(1).length ? process.argv.slice(1) : [rt.DEFAULT_N8N_VERSION]) {
		rt.useN8n(version);
		console.log(await rt.ensureN8n());
	}
})().catch((error) => { console.error(error.message); process.exit(1); });
' "$@"
