# Sourced by the scripts whose generated output depends only on files in the
# repository (the contract's lint, the generated clients): `fresh STAMP
# INPUT...` is true when STAMP exists and is newer than every INPUT (files or
# directories, searched in full), so the work that made it can be skipped.
# `stamp STAMP` marks the work done. A fresh clone has no stamps.
fresh() {
  local stamp=$1; shift
  [ -e "$stamp" ] || return 1
  [ -z "$(find "$@" -newer "$stamp" -print -quit 2>/dev/null)" ]
}

stamp() { mkdir -p "$(dirname "$1")" && touch "$1"; }

STAMPS=${CARGO_TARGET_DIR:-target}/stamps
