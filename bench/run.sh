#!/usr/bin/env bash
# make bench: release build, 100,000 seeded employees in a fresh SQLite
# database and in a throwaway PostgreSQL (BENCH_PG=0: SQLite only), the server on
# loopback, wrk against each endpoint for a bounded time. Writes
# bench/results.md. Loopback only; every run stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."

EMPLOYEES=${BENCH_EMPLOYEES:-100000}
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
# Alternating rounds of the keyed POST and the plain one (their ratio is
# the cost of idempotency and rate limiting), each round shorter than the
# other rows': the write rate drifts over tens of seconds, so more and
# shorter rounds give a steadier median. Rounds go in pairs, keyed-plain
# then plain-keyed (an even number; an odd one is made even).
PAIR_ROUNDS=${BENCH_PAIR_ROUNDS:-12}
PAIR_ROUNDS=$(( (PAIR_ROUNDS + 1) / 2 * 2 ))
PAIR_DURATION=${BENCH_PAIR_DURATION:-5s}
# Webhook fan-out: audited writes at a fixed rate, each fanned out to
# FANOUT subscriptions (so RATE × FANOUT deliveries are owed per second).
HOOK_RATE=${BENCH_WEBHOOK_RATE:-300}
HOOK_FANOUT=${BENCH_WEBHOOK_FANOUT:-4}
# The list and report rows again over a second database of this many
# employees (0: not run), for how they hold as the cadre grows (issue 17).
LARGE=${BENCH_LARGE_EMPLOYEES:-1000000}
# BENCH_ONLY=webhooks (the fan-out) or BENCH_ONLY=keyed (the keyed/plain
# pair): that row alone, printed, bench/results.md untouched.
ONLY=${BENCH_ONLY:-}
OUT=bench/results.md

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench: installing wrk (Debian package)" >&2
  if [ "$(id -u)" -eq 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; fi
fi

# The workspace's own feature set (a `-p` subset would resolve other
# features and build every dependency again). BENCH_BIN runs a binary built
# before instead, e.g. to compare two builds under the same conditions.
if [ -n "${BENCH_BIN:-}" ]; then
  BIN=$BENCH_BIN
else
  cargo build -q --release --bin cscms
  BIN=${CARGO_TARGET_DIR:-target}/release/cscms
fi
export BENCH_BIN=$BIN
if [ "${1:-}" != "--postgres-row" ] && [ -z "$ONLY" ]; then
  cargo bench -q -p cscms-domain --bench pay --bench empanelment --bench rotation -- --quick --noplot > bench/tmp-criterion.txt 2>&1 || true
fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until the instance on port $1 is ready (at most 20 s).
await_ready() {
  for _ in $(seq 1 1000); do curl -sf "http://127.0.0.1:$1/readyz" >/dev/null && return 0; sleep 0.02; done
  return 1
}

# Seconds since the epoch, fractional.
now_s() { date +%s.%N; }

# Seconds since $1 (a now_s), to $2 decimals (default 1).
since() { python3 -c "print(round($(now_s) - $1, ${2:-1}))"; }

# The MACP-due report's windows: seed-demo dates each present grade within
# six years of today, and the upgrades it has not recorded as granted fall
# due from four years on, so the year five years ahead is full of them (a
# fixed year would in time measure an empty page).
DUE_YEAR=$(( $(date +%Y) + 5 ))

# One MACP-due request ($1: base URL, $2: token, $3: query), timed by curl
# (not wrk: it is a batch job): "seconds items"; an empty page stops the
# bench, for it would time nothing.
report() {
  local out; out=$(mktemp)
  local s; s=$(curl -s -o "$out" -w '%{time_total}' -H "Authorization: Bearer $2" "$1/v1/reports/macp-due?$3")
  local n; n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$out")
  rm -f "$out"
  if [ "$n" -eq 0 ]; then echo "bench: the MACP-due page ($3) is empty" >&2; return 1; fi
  echo "$s $n"
}

# A run stopped by an error leaves no server behind.
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

run_backend() {
  local label=$1 db=$2
  local work; work=$(mktemp -d /tmp/cscms-bench.XXXXXX)
  local port; port=$(free_port)
  export CSCMS_DATABASE_URL=$db CSCMS_BIND=127.0.0.1:$port CSCMS_JWT_SECRET=bench-secret-bench-secret-bench-secret-0 RUST_LOG=warn \
    CSCMS_RATE_LIMIT_USER=1000000/1 CSCMS_RATE_LIMIT_CLIENT=1000000/1 CSCMS_RATE_LIMIT_BULK=1000000/1 \
    CSCMS_WEBHOOK_ALLOW_PRIVATE=true
  # Cold start: the server on the empty database, its migrations included,
  # until /readyz answers.
  local t_cold; t_cold=$(now_s)
  $BIN serve > "$work/cold.log" 2>&1 &
  local cold_pid=$!
  await_ready "$port"
  local cold_s; cold_s=$(since "$t_cold" 2)
  kill $cold_pid 2>/dev/null || true
  wait $cold_pid 2>/dev/null || true
  local t0; t0=$(now_s)
  $BIN seed-demo --employees "$EMPLOYEES" >/dev/null
  local seeded; seeded=$(since "$t0")
  $BIN serve > "$work/server.log" 2>&1 &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' RETURN
  await_ready "$port"
  local base="http://127.0.0.1:$port"
  local dopt; dopt=$($BIN token --role dopt --ttl 1h)

  # Report: the first page of a year over the whole cadre.
  local report_s; report_s=$(report "$base" "$dopt" "from=$DUE_YEAR-01-01&to=$DUE_YEAR-12-31&limit=500")

  # 1000 real codes spread over the cadre, for random reads.
  local codes; codes=$(for q in "cadre=CSS" "cadre=CSSS" "cadre=CSCS"; do
      for c in "" "&cursor=CSS-050000" "&cursor=CSSS-090000"; do
        curl -s -H "Authorization: Bearer $dopt" "$base/v1/employees?$q&limit=120$c"
      done
    done | python3 -c 'import sys,json
codes=[]
for line in sys.stdin.read().replace("}{","}\n{").splitlines():
    codes += [i["code"] for i in json.loads(line)["items"]]
print(",".join("\"%s\"" % c for c in codes))')
  # The PATCH row edits a real employee's profile (the first code listed).
  local emp_code; emp_code=$(cut -d, -f1 <<<"$codes" | tr -d '"')
  local emp; emp=$($BIN token --role employee --employee "$emp_code" --ttl 1h)
  cat > "$work/get.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $dopt"
local codes = {$codes}
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/v1/employees/" .. codes[(n * 7919) % #codes + 1])
end
LUA
  # The filtered list with a cursor no request has sent before, so no page
  # is kept for it (a CSS code, then a suffix that sorts right after it, so
  # each page is full): what a page costs when it is read and written afresh.
  cat > "$work/list-fresh.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $dopt"
local codes = {}
for _, c in ipairs({$codes}) do
  if string.sub(c, 1, 4) == "CSS-" then codes[#codes + 1] = c end
end
local n = 0
local threads = 0
setup = function(t) threads = threads + 1; t:set("tid", threads) end
request = function()
  n = n + 1
  local after = codes[(n * 7919) % #codes + 1] .. "-" .. tostring(tid) .. "-" .. n
  return wrk.format("GET", "/v1/employees?cadre=CSS&grade=SO&limit=50&cursor=" .. after)
end
LUA
  cat > "$work/patch.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $emp"
wrk.headers["Content-Type"] = "application/merge-patch+json"
local etag = nil
local n = 0
request = function()
  if etag == nil then
    return wrk.format("GET", "/v1/employees/$emp_code/profile")
  end
  n = n + 1
  wrk.headers["If-Match"] = etag
  local body = string.format('{"station_preferences":[{"station":"Station %d","state":"Delhi"}]}', n)
  return wrk.format("PATCH", "/v1/employees/$emp_code/profile", nil, body)
end
response = function(status, headers, body)
  etag = headers["ETag"] or headers["etag"]
end
LUA

  # Audited writes from 64 clients at once: vigilance statuses appended to
  # employees spread over the cadre (each a write transaction with its audit
  # row and change event). Every answer must be a 201: dated today, so on
  # or after every employee's joining (VIG-1).
  local avd; avd=$($BIN token --role avd --ttl 1h)
  cat > "$work/write.lua" <<LUA
wrk.headers["Authorization"] = "Bearer $avd"
wrk.headers["Content-Type"] = "application/json"
local codes = {$codes}
local body = '{"status":"clear","effective_from":"$(date +%F)","order_ref":"AVD-I/1/2026"}'
local n = 0
request = function()
  n = n + 1
  return wrk.format("POST", "/v1/employees/" .. codes[(n * 7919) % #codes + 1] .. "/vigilance-status", nil, body)
end
LUA
  cat > "$work/token.lua" <<'LUA'
wrk.method = "POST"
wrk.body = "grant_type=client_credentials"
LUA
  # The same write with a fresh Idempotency-Key each time (round, thread and count
  # make it unique), for the cost of idempotency and rate limiting (INT-2).
  # `tid` is each thread's global, set by `setup` (a `local` of that name
  # would hide it and give every thread the same keys).
  sed -e 's/^local n = 0$/local n = 0\nlocal threads = 0\nsetup = function(t) threads = threads + 1; t:set("tid", threads) end/' \
      -e 's/^  n = n + 1$/  n = n + 1\n  wrk.headers["Idempotency-Key"] = "bench-" .. (os.getenv("BENCH_ROUND") or "0") .. "-" .. tostring(tid) .. "-" .. n/' \
      "$work/write.lua" > "$work/write-keyed.lua"

  # Webhook fan-out (INT-2): a local receiver (bench/webhooks.py) notes when
  # each message arrives and the change's commit time (`data.at`); a client
  # subscribed to vigilance statuses gets the audited writes of the fan-out row.
  local rport; rport=$(free_port)
  python3 bench/webhooks.py receive "$rport" "$work/received.txt" &
  local rpid=$!
  local second_pid="" fresh_pid="" large_pid=""
  trap 'kill $pid $rpid $second_pid $fresh_pid $large_pid 2>/dev/null || true; rm -rf "$work"' RETURN
  local client; curl -s -H "Authorization: Bearer $dopt" -H 'Content-Type: application/json' \
    -d '{"name":"Bench receiver","portal":"other","scopes":["vigilance:read"],"auth_method":"client_secret_basic"}' \
    "$base/v1/clients" > "$work/client.json"
  client=$(python3 -c 'import sys,json; print(json.load(open(sys.argv[1]))["client_id"])' "$work/client.json")
  local secret; secret=$(python3 -c 'import sys,json; print(json.load(open(sys.argv[1]))["client_secret"])' "$work/client.json")

  local rows=""
  measure() {
    local name=$1; shift
    local out; out=$(wrk -t"$THREADS" -c"$CONNS" -d"${measure_duration:-$DURATION}" --latency "$@" 2>&1)
    local rps p50 p99 rss
    rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1=="50%" {print $2}' <<<"$out")
    p99=$(awk '$1=="99%" {print $2}' <<<"$out")
    rss=$(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/${measured_pid:-$pid}/status")
    # A row whose answers were not all 2xx says so: its rate is not the endpoint's.
    local failed; failed=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",",""); n+=$4+$6+$8+$10} END {print n+0}' <<<"$out")
    [ "$failed" = "0" ] || name="$name (NOT 2xx: $failed)"
    # wrk's own account, for a caller that needs more of it (the keyed pair's count).
    printf '%s\n' "$out" > "$work/last-wrk.txt"
    echo "$name|$rps|$p50|$p99|$rss"
  }
  # CPU time (clock ticks) spent so far by the instance $1 and by the
  # database: the PostgreSQL server's processes (its postmaster, found by
  # the URL's port, and the postmaster's children), nothing for SQLite,
  # which runs inside the instance.
  cpu_ticks() {
    local total; total=$(awk '{print $14 + $15}' "/proc/$1/stat")
    case $CSCMS_DATABASE_URL in
      postgres*)
        local db_port=${CSCMS_DATABASE_URL##*:}; db_port=${db_port%%/*}
        local p pm=""
        for p in $(pgrep -x postgres); do
          tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null | grep -q -- " -p $db_port " && pm=$p
        done
        for p in $pm $(pgrep -P "${pm:-0}"); do
          total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
        done
        ;;
    esac
    echo "$total"
  }
  # Runs measure (its arguments) for the instance $1, and appends to its
  # row the CPU time of the instance and the database per request, in ms.
  measure_cpu() {
    local of=$1; shift
    local c0 row c1 n
    c0=$(cpu_ticks "$of")
    row=$(measure "$@")
    c1=$(cpu_ticks "$of")
    n=$(awk '/requests in/ {print $1}' "$work/last-wrk.txt")
    echo "$row|$(python3 -c "print(f'{($c1 - $c0) * 1000 / $(getconf CLK_TCK) / max($n, 1):.3f}')")"
  }
  # Sets keyed, plain and overhead (the caller's locals).
  keyed_pair() {
    # Idempotency and rate limiting on the audited POST: the same writes with a
    # fresh Idempotency-Key each, against a second instance on the same
    # database with CSCMS_RATE_LIMITS=off and no key (target: at most 15% slower).
    # Single runs of the two swung by ±10% from bench to bench (the database
    # grows under them, the machine varies), so they alternate over
    # PAIR_ROUNDS rounds, the order swapped each round, each round's keys
    # new. On PostgreSQL the first run of a round came out slower than the
    # second, whichever it was (keyed-first rounds +22% on average, plain-
    # first −8%, bench/speed.md): a round's ratio carried its order. So the
    # cost is taken over blocks of two rounds, keyed-plain-plain-keyed,
    # where the order and a steady drift cancel: the median of the blocks'
    # ratios of mean rates (and of mean CPU a request).
    local plain_port; plain_port=$(free_port)
    CSCMS_BIND=127.0.0.1:$plain_port CSCMS_RATE_LIMITS=off CSCMS_WEBHOOK_WORKER=off $BIN serve > "$work/plain.log" 2>&1 &
    local plain_pid=$!
    await_ready "$plain_port"
    local keyed_runs=() plain_runs=() round
    for round in $(seq 1 "$PAIR_ROUNDS"); do
      local k p
      if [ $((round % 2)) = 1 ]; then
        k=$(BENCH_ROUND=$round measure_duration=$PAIR_DURATION measure_cpu "$pid" keyed -s "$work/write-keyed.lua" "$base")
        p=$(measured_pid=$plain_pid measure_duration=$PAIR_DURATION measure_cpu "$plain_pid" plain -s "$work/write.lua" "http://127.0.0.1:$plain_port")
      else
        p=$(measured_pid=$plain_pid measure_duration=$PAIR_DURATION measure_cpu "$plain_pid" plain -s "$work/write.lua" "http://127.0.0.1:$plain_port")
        k=$(BENCH_ROUND=$round measure_duration=$PAIR_DURATION measure_cpu "$pid" keyed -s "$work/write-keyed.lua" "$base")
      fi
      keyed_runs+=("$k"); plain_runs+=("$p")
    done
    kill $plain_pid 2>/dev/null || true
    local pair_rows; pair_rows=$(python3 - "${#keyed_runs[@]}" "${keyed_runs[@]}" "${plain_runs[@]}" <<'PY'
import statistics, sys
n = int(sys.argv[1])
keyed = [r.split("|") for r in sys.argv[2:2 + n]]
plain = [r.split("|") for r in sys.argv[2 + n:2 + 2 * n]]
def row(name, runs):
    failed = [r[0] for r in runs if "NOT 2xx" in r[0]]
    if failed:
        name += " (" + "; ".join(f[f.index("NOT"):-1] for f in failed) + ")"
    rate = statistics.mean(float(r[1]) for r in runs)
    return f"{name}|{rate:.2f}|{' / '.join(r[2] for r in runs)}|{' / '.join(r[3] for r in runs)}|{runs[-1][4]}"
def blocks(field, slower):
    """The blocks' ratios (two rounds each, keyed-plain-plain-keyed) of
    the mean of `field`, as how much slower keyed is, and the rounds' own."""
    k = [float(r[field]) for r in keyed]
    p = [float(r[field]) for r in plain]
    per_round = [slower(a, b) for a, b in zip(k, p)]
    per_block = [slower(k[i] + k[i + 1], p[i] + p[i + 1]) for i in range(0, n - 1, 2)]
    return per_block, per_round
def pct(rs):
    return ", ".join(f"{r:.0%}" for r in rs)
print(row(f"POST vigilance-status with Idempotency-Key, rate limited (mean of {n} rounds; p50 and p99 of each)", keyed))
print(row(f"the same POST, no key, CSCMS_RATE_LIMITS=off (second instance; {n} rounds alternating with the row above)", plain))
rate_blocks, rate_rounds = blocks(1, lambda k, p: p / k - 1)
print(f"{statistics.median(rate_blocks):.0%} (blocks of two rounds: {pct(rate_blocks)}; rounds: {pct(rate_rounds)})")
# The same cost as CPU time a request (the instance's and the database's),
# which tells work from waiting: on SQLite a write also waits its turn at
# the one writer, so the rate can fall further than the CPU rises.
cpu_blocks, cpu_rounds = blocks(5, lambda k, p: k / p - 1)
k_ms = statistics.median(float(k[5]) for k in keyed)
p_ms = statistics.median(float(p[5]) for p in plain)
print(f"{statistics.median(cpu_blocks):.0%} (blocks: {pct(cpu_blocks)}; rounds: {pct(cpu_rounds)}; medians {k_ms:.3f} ms keyed, {p_ms:.3f} ms plain)")
PY
)
    keyed=$(sed -n 1p <<<"$pair_rows"); plain=$(sed -n 2p <<<"$pair_rows"); overhead=$(sed -n 3p <<<"$pair_rows")
    overhead_cpu=$(sed -n 4p <<<"$pair_rows")
    echo "bench: idempotency + rate limiting cost $overhead on the audited POST; CPU a request $overhead_cpu" >&2
  }
  if [ "$ONLY" = keyed ]; then
    local keyed plain overhead overhead_cpu
    keyed_pair
    echo "| $label: cost of idempotency + rate limiting on the audited POST | $overhead | keyed $(cut -d'|' -f2 <<<"$keyed")/s, plain $(cut -d'|' -f2 <<<"$plain")/s |"
    echo "| $label: the same cost in CPU a request (instance and database) | $overhead_cpu | - |"
    return 0
  fi
  if [ -z "$ONLY" ]; then
    local health; health=$(measure "GET /healthz" "$base/healthz")
    local get; get=$(measure "GET /v1/employees/{code} (DoPT token; the same 1,080 employees in turn: kept)" -s "$work/get.lua" "$base")
    # The same reads from an instance that keeps no records: what a record
    # costs read afresh (the first request for it after a write).
    local fresh_port; fresh_port=$(free_port)
    CSCMS_RECORD_CACHE_MIB=0 CSCMS_BIND=127.0.0.1:$fresh_port $BIN serve > "$work/fresh.log" 2>&1 &
    fresh_pid=$!
    await_ready "$fresh_port"
    local get_fresh; get_fresh=$(measured_pid=$fresh_pid measure "the same reads, records not kept (an instance with CSCMS_RECORD_CACHE_MIB=0)" -s "$work/get.lua" "http://127.0.0.1:$fresh_port")
    kill $fresh_pid 2>/dev/null || true
    # The same reads shared by two instances on the one database (half the
    # connections each, at once): the total against one instance's.
    local second_port; second_port=$(free_port)
    CSCMS_BIND=127.0.0.1:$second_port $BIN serve > "$work/second.log" 2>&1 &
    second_pid=$!
    await_ready "$second_port"
    wrk -t1 -c$((CONNS / 2)) -d"$DURATION" --latency -s "$work/get.lua" "$base" > "$work/pair-a.txt" 2>&1 &
    local pair_a=$!
    wrk -t1 -c$((CONNS / 2)) -d"$DURATION" --latency -s "$work/get.lua" "http://127.0.0.1:$second_port" > "$work/pair-b.txt" 2>&1
    wait $pair_a || true
    kill $second_pid 2>/dev/null || true
    local pair; pair=$(python3 - "$work/pair-a.txt" "$work/pair-b.txt" <<'PY'
import re, sys
rates, p50s, p99s, failed = [], [], [], 0
for f in sys.argv[1:]:
    t = open(f).read()
    rates.append(float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1)))
    p50s.append(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1))
    p99s.append(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))
    failed += sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", t))
name = "GET /v1/employees/{code}, two instances on one database at once (total; p50 and p99 of each)"
if failed:
    name += f" (NOT 2xx: {failed})"
print(f"{name}|{sum(rates):.2f}|{' / '.join(p50s)}|{' / '.join(p99s)}|-")
PY
)
    local list; list=$(measure "GET /v1/employees?cadre=CSS&grade=SO&limit=50 (the same page each time: kept)" -H "Authorization: Bearer $dopt" "$base/v1/employees?cadre=CSS&grade=SO&limit=50")
    local list_fresh; list_fresh=$(measure "the same list, a page not kept (a new cursor each request)" -s "$work/list-fresh.lua" "$base")
    local patch; patch=$(measure "PATCH profile (If-Match, audited; 1 connection)" -c1 -t1 -s "$work/patch.lua" "$base")
    # Token endpoint (client_credentials, client_secret_basic): each request
    # verifies the secret's Argon2id hash, by design slow to guess at.
    local token; token=$(measure "POST /oauth2/token (client_credentials, secret_basic)" \
      -H "Authorization: Basic $(printf '%s:%s' "$client" "$secret" | base64 -w0)" \
      -H 'Content-Type: application/x-www-form-urlencoded' -s "$work/token.lua" "$base/oauth2/token")
    local keyed plain overhead overhead_cpu
    keyed_pair
    local wout; wout=$(wrk -t"$THREADS" -c64 -d"$DURATION" --latency -s "$work/write.lua" "$base" 2>&1)
    local werrors; werrors=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",",""); n+=$4+$6+$8+$10} END {print n+0}' <<<"$wout")
    local writes; writes="POST vigilance-status (audited write; 64 connections; errors: $werrors)|$(awk '/Requests\/sec/ {print $2}' <<<"$wout")|$(awk '$1=="50%" {print $2}' <<<"$wout")|$(awk '$1=="99%" {print $2}' <<<"$wout")|$(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$pid/status)"
    echo "bench: $werrors failed audited writes at 64 connections" >&2
    # Every PATCH must have landed: the profile's version counts them.
    local version; version=$(curl -s -H "Authorization: Bearer $emp" "$base/v1/employees/$emp_code/profile" \
      | python3 -c 'import sys,json; print(json.load(sys.stdin)["version"])')
    echo "bench: $emp_code profile at version $version after the PATCH row" >&2
    # The change feed: follow it from the start in pages of 500 (the audited
    # writes above left their changes); changes read per second.
    local feed_rate; feed_rate=$(python3 - "$base" "$dopt" <<'PY'
import json, sys, time, urllib.request
base, token = sys.argv[1], sys.argv[2]
cursor, n, t0 = "c1.start", 0, time.time()
while True:
    req = urllib.request.Request(f"{base}/v1/changes?after={cursor}&limit=500",
                                 headers={"Authorization": f"Bearer {token}"})
    page = json.load(urllib.request.urlopen(req))
    n += len(page["changes"]); cursor = page["next"]
    if not page["more"]:
        break
print(f"{n / (time.time() - t0):.0f} changes/s over {n}")
PY
)
  fi
  # Webhook fan-out: from here on every audited vigilance write owes
  # HOOK_FANOUT deliveries (none before, so the rows above ran without the
  # worker sending). The writes come at a steady HOOK_RATE, below what the
  # server can write (the 64-connection row above), so what is measured is
  # delivery keeping pace, not a backlog growing; the receiver times each
  # message against its change's commit.
  for i in $(seq 1 "$HOOK_FANOUT"); do
    curl -sf -o /dev/null -H "Authorization: Bearer $dopt" -H 'Content-Type: application/json' \
      -d "{\"url\":\"http://127.0.0.1:$rport/hook/$i\",\"types\":[\"vigilance_status\"]}" \
      "$base/v1/clients/$client/webhooks"
  done
  local paced; paced=$(python3 bench/webhooks.py write "$base" "$avd" "$HOOK_RATE" "${DURATION%s}" "$codes")
  local written; written=$(cut -d'|' -f2 <<<"$paced")
  local hooks; hooks=$(python3 bench/webhooks.py report "$work/received.txt" $((written * HOOK_FANOUT)))
  local pending_after; pending_after=$(python3 - "$base" "$dopt" "$client" <<'PY'
import json, sys, urllib.request
base, token, client = sys.argv[1:4]
def get(url):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    return json.load(urllib.request.urlopen(req))
n = 0
for s in get(f"{base}/v1/clients/{client}/webhooks")["items"]:
    n += sum(1 for d in get(f"{base}/v1/clients/{client}/webhooks/{s['id']}/deliveries?limit=200")["items"]
             if d["status"] != "delivered")
print(n)
PY
)
  IFS='|' read -r w_sent w_ok w_rate w_p50 w_p99 w_late <<<"$paced"
  IFS='|' read -r h_rate h_p50 h_p99 h_received h_distinct <<<"$hooks"
  local hook_row="webhook fan-out to a local receiver: $w_ok of $w_sent audited writes at a steady ${w_rate}/s (write p50 ${w_p50} ms, p99 ${w_p99} ms, ${w_late} started late), each to $HOOK_FANOUT subscriptions; $h_received received of $((w_ok * HOOK_FANOUT)) owed, $h_distinct distinct, $pending_after not delivered in each subscription's last 200 (deliveries/s, target ≥ 1,000; commit to delivery p50/p99, target p99 ≤ 1 s)|${h_rate}|${h_p50} ms|${h_p99} ms"
  echo "bench: $label: $hook_row" >&2
  if [ -n "$ONLY" ]; then
    echo "| $label: $hook_row | - | - |"
    return 0
  fi
  # APAR import from SPARROW (issue 17): requests of 1,000 new APARs, each
  # over 1,000 distinct employees, one after another and then from 4
  # clients at once (bench/apar_import.py); rows written per second.
  local sparrow; sparrow=$($BIN token --role integration --scope apar:write --ttl 1h)
  local apars; apars=$(python3 bench/apar_import.py "$base" "$sparrow" --list-token "$dopt")
  local base_rps; base_rps=$(cut -d'|' -f2 <<<"$health")
  # The list and the report over a second, larger database: a flat list and
  # an index-range report do not slow down as the cadre grows.
  local large_rows=() large_seeded="-"
  if [ "$LARGE" -gt 0 ]; then
    local large_db
    case "$db" in
      postgres*) psql -q "$db" -c "CREATE DATABASE cscms_large" >/dev/null; large_db="${db%/*}/cscms_large" ;;
      *) large_db="sqlite://$work/large.db" ;;
    esac
    local large_port; large_port=$(free_port)
    local t_large; t_large=$(now_s)
    CSCMS_DATABASE_URL=$large_db $BIN seed-demo --employees "$LARGE" >/dev/null
    large_seeded=$(since "$t_large")
    CSCMS_DATABASE_URL=$large_db CSCMS_BIND=127.0.0.1:$large_port $BIN serve > "$work/large.log" 2>&1 &
    large_pid=$!
    await_ready "$large_port"
    local large_base="http://127.0.0.1:$large_port"
    local large_report; large_report=$(report "$large_base" "$dopt" "from=$DUE_YEAR-01-01&to=$DUE_YEAR-12-31&limit=500")
    local large_month; large_month=$(report "$large_base" "$dopt" "from=$DUE_YEAR-03-01&to=$DUE_YEAR-03-31&limit=500")
    local measured_pid=$large_pid
    large_rows+=("$(measure "GET /v1/employees?cadre=CSS&grade=SO&limit=50 ($LARGE employees)" -H "Authorization: Bearer $dopt" "$large_base/v1/employees?cadre=CSS&grade=SO&limit=50")")
    large_rows+=("$(measure "the same list, a page not kept ($LARGE employees)" -s "$work/list-fresh.lua" "$large_base")")
    measured_pid=""
    kill $large_pid 2>/dev/null || true
  fi
  {
    echo ""
    echo "### $label — $EMPLOYEES employees (seeded in ${seeded} s; cold start with migrations ${cold_s} s)"
    echo ""
    echo "| endpoint | req/s | p50 | p99 | server RSS | vs /healthz |"
    echo "|---|---:|---:|---:|---:|---:|"
    for row in "$health" "$get" "$get_fresh" "$pair" "$list" "$list_fresh" "${large_rows[@]}" "$patch" "$writes" "$token" "$keyed" "$plain"; do
      IFS='|' read -r n r p5 p9 m <<<"$row"
      ratio=$(python3 -c "print(f'{float(\"$r\")/float(\"$base_rps\"):.0%}')" 2>/dev/null || echo "-")
      echo "| $n | $r | $p5 | $p9 | $m | $ratio |"
    done
    echo "| GET /v1/reports/macp-due (whole cadre: the year $DUE_YEAR, first page of ${report_s#* } employees) | - | ${report_s% *} s | - | - | - |"
    if [ "$LARGE" -gt 0 ]; then
      echo "| GET /v1/reports/macp-due ($LARGE employees, seeded in ${large_seeded} s: the year $DUE_YEAR, first page / March $DUE_YEAR, first page; ${large_report#* } and ${large_month#* } employees; target ≤ 100 ms for a month) | - | ${large_report% *} s / ${large_month% *} s | - | - | - |"
    fi
    while IFS='|' read -r a_rate a_note; do
      echo "| POST /v1/apars/import (rows/s; $a_note; target ≥ 100,000 SQLite, ≥ 50,000 PostgreSQL) | ${a_rate} | - | - | - | - |"
    done <<<"$apars"
    echo "| cost of idempotency + rate limiting on the audited POST (the two rows above, median of blocks of two rounds; target ≤ 15%) | ${overhead} | - | - | - | - |"
    echo "| the same cost in CPU time a request, the instance's and the database's (the two rows above, by blocks of two rounds) | ${overhead_cpu} | - | - | - | - |"
    echo "| GET /v1/changes (limit=500, followed from the start; target ≥ 20,000 changes/s) | ${feed_rate} | - | - | - | - |"
    echo "| $hook_row | - | - |"
  } >> "$OUT.tmp"
  if [ "$werrors" != "0" ]; then
    # Noted, and the run goes on to the other backend; `make bench` fails at the end.
    echo "bench: audited writes failed under load on $label ($werrors)" >&2
    echo "$label" >> bench/tmp-failed.txt
  fi
}

if [ "${1:-}" = "--postgres-row" ]; then
  # Called back through scripts/with-postgres.sh: one more table, then stop.
  run_backend "PostgreSQL (throwaway server)" "$CSCMS_TEST_DATABASE_URL"
  exit 0
fi

if [ -n "$ONLY" ]; then
  # One row alone (BENCH_SQLITE=0 skips SQLite, BENCH_PG=0 skips PostgreSQL).
  if [ "${BENCH_SQLITE:-1}" = "1" ]; then
    sqlite_dir=$(mktemp -d /tmp/cscms-bench-db.XXXXXX)
    run_backend "SQLite" "sqlite://$sqlite_dir/bench.db"
    rm -rf "$sqlite_dir"
  fi
  if [ "${BENCH_PG:-1}" = "1" ]; then
    scripts/with-postgres.sh bench/run.sh --postgres-row
  fi
  exit 0
fi

{
  echo "# Benchmarks"
  echo ""
  echo "Produced by \`make bench\` on $(date -u +%Y-%m-%d) on a machine with $(nproc) cores; wrk $THREADS threads, $CONNS connections, $DURATION per row; loopback."
} > "$OUT.tmp"

rm -f bench/tmp-failed.txt
sqlite_dir=$(mktemp -d /tmp/cscms-bench-db.XXXXXX)
run_backend "SQLite" "sqlite://$sqlite_dir/bench.db"
rm -rf "$sqlite_dir"
if [ "${BENCH_PG:-1}" = "1" ]; then
  scripts/with-postgres.sh bench/run.sh --postgres-row
fi

{
  echo ""
  echo "### Rules engines (criterion, --quick)"
  echo ""
  echo '```'
  grep -E "time:|^[a-z][A-Za-z_/ 0-9,:]+$|per employee" bench/tmp-criterion.txt | head -40 || true
  echo '```'
} >> "$OUT.tmp"
rm -f bench/tmp-criterion.txt
# The read path's before/after is kept by hand in bench/speed.md; the
# report carries it under the figures of this run.
{ echo ""; sed 's/^#/##/' bench/speed.md; } >> "$OUT.tmp"
mv "$OUT.tmp" "$OUT"
cat "$OUT"
if [ -s bench/tmp-failed.txt ]; then
  echo "bench: audited writes failed under load on: $(paste -sd, bench/tmp-failed.txt)" >&2
  rm -f bench/tmp-failed.txt
  exit 1
fi
