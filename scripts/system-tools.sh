#!/usr/bin/env bash
# The Debian packages the suite's later stages use, installed in one apt run
# when missing (the stages' own scripts install theirs too when run alone;
# here they are installed once, beside the build, and apt never runs twice
# at the same time): poppler-utils (print previews), prometheus (promtool,
# the /metrics check), a Java runtime (openapi-generator), the PostgreSQL
# server, and Chromium (the docs page; optional: its stage skips without it).
set -euo pipefail

apt_install() {
  if [ "$(id -u)" -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; fi
}
apt_update() {
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
}

need=()
command -v pdftoppm >/dev/null || need+=(poppler-utils)
command -v promtool >/dev/null || need+=(prometheus)
command -v java >/dev/null || need+=(default-jre-headless)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ "${#need[@]}" -gt 0 ]; then
  echo "system-tools: installing ${need[*]}" >&2
  apt_update
  apt_install "${need[@]}"
fi
if ! command -v chromium >/dev/null; then
  echo "system-tools: installing chromium" >&2
  { apt_update && apt_install chromium; } || echo "system-tools: chromium could not be installed; the docs-page stage will skip" >&2
fi
