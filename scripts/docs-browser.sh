#!/usr/bin/env bash
# Loads the docs page (/docs/) in headless Chromium from Debian's packages
# (installed here when missing) and uses it as a reader would: see
# clients/browser/docs.mjs. Where Chromium cannot be installed, says so and
# skips.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/system-tools.sh chromium || true
chromium=$(command -v chromium || true)
if [ -z "$chromium" ]; then
  echo "docs-browser: SKIPPED — Chromium could not be installed from Debian's packages here" >&2
  exit 0
fi
echo "docs-browser: $("$chromium" --version 2>/dev/null), puppeteer-core $(node -p 'require("puppeteer-core/package.json").version')" >&2

# shellcheck source=scripts/lib/live-server.sh
. scripts/lib/live-server.sh
live_server_start 5
operations=$(node -e '
  const c = JSON.parse(require("fs").readFileSync("openapi/openapi.json", "utf8"));
  const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
  let n = 0;
  for (const item of Object.values(c.paths)) n += methods.filter((m) => item[m]).length;
  console.log(n);')
CSCMS_BASE_URL=$BASE_URL CSCMS_TOKEN=$(live_token dopt) CHROMIUM=$chromium OPERATIONS=$operations \
  node clients/browser/docs.mjs
live_server_check_log
