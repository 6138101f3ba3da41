#!/usr/bin/env bash
# Installs, from Debian's packages, the tools the suite's stages use, when
# they are missing: `system-tools.sh TOOL...` for the named ones, or with no
# argument all of them in one apt run (make test does this beside the build,
# so apt never runs twice at the same time). Runs apt as root, or through
# sudo. The tools:
#   pdftoppm  poppler-utils         print previews
#   promtool  prometheus            the /metrics exposition check
#   java      default-jre-headless  openapi-generator (the Rust client)
#   initdb    postgresql            the PostgreSQL stage's throwaway server
#   chromium  chromium              the docs page (optional: with no argument
#                                   a failed install is reported, its stage skips)
set -euo pipefail

package_of() {
  case $1 in
    pdftoppm) echo poppler-utils ;;
    promtool) echo prometheus ;;
    java) echo default-jre-headless ;;
    initdb) echo postgresql ;;
    chromium) echo chromium ;;
    *) echo "system-tools: unknown tool '$1'" >&2; return 1 ;;
  esac
}

present() {
  case $1 in
    # The server binaries are not on PATH.
    initdb) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ;;
    *) command -v "$1" >/dev/null ;;
  esac
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_packages() {
  echo "system-tools: installing $*" >&2
  as_root apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

optional=()
if [ "$#" -gt 0 ]; then
  tools=("$@")
else
  tools=(pdftoppm promtool java initdb)
  optional=(chromium)
fi

need=()
for tool in "${tools[@]}"; do
  present "$tool" || need+=("$(package_of "$tool")")
done
[ "${#need[@]}" -eq 0 ] || install_packages "${need[@]}"

for tool in "${optional[@]}"; do
  present "$tool" || install_packages "$(package_of "$tool")" ||
    echo "system-tools: $tool could not be installed; its stage will skip" >&2
done
