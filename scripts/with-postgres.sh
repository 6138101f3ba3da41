#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server: installs Debian's
# postgresql package if no server binaries exist, starts a private cluster on
# a free loopback port (never as root), exports CSCMS_TEST_DATABASE_URL, runs
# the command, and stops and removes the cluster afterwards, also on failure.
set -euo pipefail

"$(dirname "$0")/system-tools.sh" initdb
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

# The server refuses to run as root: use an unprivileged account for it.
as_pg=()
if [ "$(id -u)" -eq 0 ]; then
  pguser=cscms-pg
  id -u "$pguser" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$pguser"
  as_pg=(runuser -u "$pguser" --)
fi

# The cluster is kept in memory where there is room: the suite leaves ~3.5 GB
# of databases in ~140,000 files, whose removal from disk took 25 s.
base=/tmp
shm_kib=$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')
[ "${shm_kib:-0}" -lt $((8 * 1024 * 1024)) ] || base=/dev/shm
workdir=$(mktemp -d "$base/cscms-pg.XXXXXX")
chmod 755 "$workdir"
[ "${#as_pg[@]}" -eq 0 ] || chown "$pguser" "$workdir"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$workdir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT INT TERM

"${as_pg[@]}" "$bindir/initdb" -D "$workdir/data" -U cscms --auth=trust --no-sync -E UTF8 >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$workdir/data" -l "$workdir/server.log" -w -t 60 \
  -o "-p $port -k $workdir -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null || { cat "$workdir/server.log" >&2; exit 1; }

export CSCMS_TEST_DATABASE_URL="postgres://cscms@127.0.0.1:$port/postgres"
echo "with-postgres: throwaway server on 127.0.0.1:$port" >&2
status=0
"$@" || status=$?
if [ "$status" -ne 0 ]; then
  # The server's own account of the run, for a failure that was its doing.
  echo "with-postgres: last lines of the server log" >&2
  tail -n 40 "$workdir/server.log" >&2 || true
fi
exit "$status"
