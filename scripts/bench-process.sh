#!/usr/bin/env bash
# The whole-process figures of BENCHMARKS.md, with public tools only (curl, tmux, python3's
# standard library, bash's $EPOCHREALTIME, /proc), every figure from this one run:
#   1. `greenvn allocate` (static build) against `curl` sending the same POST to the same
#      standalone simulator (`greenvn sim`), a new connection_id every run, RUNS rounds
#      interleaved (scripts/bench/interleave.py: each round runs every candidate once, so all see
#      the same load; median wall and CPU time of the process and its threads), beside the
#      floors: an empty static Swift main, one POST with AsyncHTTPClient alone, GRDB's open and
#      one durable write alone (Sources/Floors, built here).
#   2. launch → first full frame of the console inside tmux with ROWS rows in the registry:
#      bash records $EPOCHREALTIME and execs greenvn; `greenvn-bench first-frame` reads the
#      pane's output (tmux pipe-pane) and records when the first frame with rows (its " 1 of N "
#      position line) reached the terminal. No hook in greenvn: the frame the operator sees.
#      Measured on the embedded simulator (no credentials) and with credentials set.
#   3. `greenvn list --filter` at ROWS_BIG rows and the console's RSS (VmRSS/VmHWM from
#      /proc/PID/status) after paging through the list.
#   4. bulk: BULK_ROWS rows against `greenvn sim --pool-size 1000` as its own process (a fresh
#      one per run), `greenvn bulk` at concurrency 8, 32 and 64, and in the same session the
#      peers sending the very same create bodies: scripts/bench/bulk_peer.py (python asyncio,
#      32 and 64 connections) and `xargs -P 32 curl` (scripts/bench/bulk_run.py: rate, client
#      and simulator CPU per row, and a check that the server and the registry hold every row
#      once).
# BEFORE=/path/to/an/older/greenvn (a static build of an earlier commit) adds it to sections 1
# and 4, in the same interleaved rounds and the same session: before/after from one run.
# Usage: scripts/bench-process.sh [--skip-build]   (env: RUNS=30 ROWS=100000 ROWS_BIG=1000000 LAUNCHES=15
#        BULK_ROWS=10000 SECTIONS="1 2 3 4" BEFORE=…; SEEDED=DIR copies DIR/registry-N.sqlite, made by
#        `greenvn-bench seed`, instead of seeding again; DYNAMIC=1 also builds and measures the default
#        dynamically linked release build in section 1)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
RUNS=${RUNS:-30}
ROWS=${ROWS:-100000}
ROWS_BIG=${ROWS_BIG:-1000000}
LAUNCHES=${LAUNCHES:-15}
BULK_ROWS=${BULK_ROWS:-10000}
SECTIONS=${SECTIONS:-"1 2 3 4"}
BEFORE=${BEFORE:-}

static_products="greenvn greenvn-bench floor-empty floor-ahc-post floor-grdb-write"
if [ "${1:-}" != "--skip-build" ]; then
    for p in $static_products; do
        swift build -c release --scratch-path .build-static --static-swift-stdlib --product "$p" >&2
    done
    if [ -n "${DYNAMIC:-}" ]; then swift build -c release --scratch-path .build-release --product greenvn >&2; fi
fi
sbin="$root/.build-static/release"
static="$sbin/greenvn"
dyn="$root/.build-release/release/greenvn"
if [ -z "${DYNAMIC:-}" ] || [ ! -x "$dyn" ]; then dyn=""; fi
bin=$static
bench="$sbin/greenvn-bench"
[ -x "$bench" ] || bench="$root/.build-release/release/greenvn-bench"
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
load() { echo "load: $(cut -d' ' -f1-3 /proc/loadavg) ($(date -u +%H:%M:%S) UTC)"; }
if want 2 || want 3; then command -v tmux >/dev/null || { echo "needs tmux" >&2; exit 1; }; fi
command -v curl >/dev/null || { echo "needs curl" >&2; exit 1; }

work=$(mktemp -d /tmp/greenvn-bench-process.XXXXXX)
sock="greenvn-bench-$$"
t() { tmux -L "$sock" -f /dev/null "$@"; }
simpid=""
cleanup() {
    t kill-server 2>/dev/null || true
    [ -n "$simpid" ] && kill "$simpid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
unset EXOTEL_ACCOUNT_SID EXOTEL_API_KEY EXOTEL_API_TOKEN GREENVN_BASE_URL NO_COLOR
export HOME="$work/home" XDG_CONFIG_HOME="$work/config"
mkdir -p "$HOME" "$XDG_CONFIG_HOME"

# seed FILE ROWS: a synthetic registry at FILE (a copy of $SEEDED/registry-ROWS.sqlite if there is one)
seed() {
    if [ -n "${SEEDED:-}" ] && [ -f "$SEEDED/registry-$2.sqlite" ]; then
        sqlite3 "$SEEDED/registry-$2.sqlite" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
        rm -f "$1" "$1-wal" "$1-shm"
        cp "$SEEDED/registry-$2.sqlite" "$1"
        echo "  copied $SEEDED/registry-$2.sqlite ($2 rows)"
    else
        "$bench" seed --registry "$1" --rows "$2" | sed 's/^/  /'
    fi
}
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# hyperfine's JSON → median in ms
hf_median() { python3 -c 'import json,sys; print("%.2f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$1"; }

echo "# machine"
echo "nproc $(nproc) · $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') · $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "$(uname -sr) · $(swift --version 2>/dev/null | head -1) · $(hyperfine --version) · $(curl --version | head -1 | cut -d' ' -f1-2)"

# ---------------------------------------------------------------------------------------
if want 1; then
echo; echo "# 1. greenvn allocate vs curl, same POST, same standalone simulator ($RUNS rounds, interleaved)"
load
port=$((20000 + RANDOM % 20000))
"$bin" sim --port "$port" --state "$work/sim.sqlite" --pool-size 1000 >"$work/sim.log" 2>&1 &
simpid=$!
for _ in $(seq 1 100); do grep -q listening "$work/sim.log" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$work/sim.log" || { cat "$work/sim.log" >&2; exit 1; }
base="http://127.0.0.1:$port/v1"
url="$base/tenants/SIMULATOR/greenvn"
creds="GREENVN_BASE_URL=$base EXOTEL_ACCOUNT_SID=SIMULATOR EXOTEL_API_KEY=sim-key EXOTEL_API_TOKEN=sim-token"
args="allocate --a +919876543210 --b +918765432109 --usage twoway --connection-id g-{n}"
# The body greenvn sends (Wire.body), with the same fresh connection_id scheme.
body='{"aparty_numbers":["+919876543210"],"bparty_numbers":["+918765432109"],"connection_id":"c-{n}","usage":"twoway"}'
fbody=${body/\"c-/\"f-}
candidates=("curl=curl -sS --fail -o /dev/null -u sim-key:sim-token -H 'Content-Type: application/json' --data-binary '$body' $url"
            "greenvn allocate (static)=GREENVN_HOME=$work/cli $creds $static $args")
if [ -n "$BEFORE" ]; then candidates+=("greenvn allocate, before (static)=GREENVN_HOME=$work/cli-before $creds $BEFORE $args"); fi
if [ -n "$dyn" ]; then candidates+=("greenvn allocate (dynamic)=GREENVN_HOME=$work/cli-dyn $creds $dyn $args"); fi
candidates+=("floor: empty Swift main (static)=$sbin/floor-empty"
             "floor: AsyncHTTPClient, one POST=$sbin/floor-ahc-post $url '$fbody'"
             "floor: GRDB open + durable write=$sbin/floor-grdb-write $work/floor-{n}.sqlite"
             "greenvn --help (static)=$static --help")
# One allocate each first: every timed run then opens an existing registry.
for c in "${candidates[@]}"; do
    case "$c" in "greenvn allocate"*) python3 scripts/bench/interleave.py 1 "$c" >/dev/null ;; esac
done
python3 scripts/bench/interleave.py "$RUNS" "${candidates[@]}"
load
echo "registry after the runs: $(env $creds GREENVN_HOME="$work/cli" "$static" list 2>/dev/null | tail -1)"
kill "$simpid" 2>/dev/null || true; simpid=""
fi

# ---------------------------------------------------------------------------------------
if want 2; then
echo; echo "# 2. launch → first full frame in tmux, $ROWS rows ($LAUNCHES launches each)"
t new-session -d -s bench -x 120 -y 36 "sleep 100000"
# window <name> <env…>: greenvn in a new window whose output the first-frame watcher reads
# from its start (the window waits on a tmux channel until the watcher is attached).
window() {
    local name=$1; shift
    rm -f "$work/start" "$work/frame"
    t new-window -d -t bench -n "$name" "env LANG=C.UTF-8 TERM=xterm-256color $* bash --norc -c 'tmux wait-for go-$name; echo \$EPOCHREALTIME > $work/start; exec $bin'"
    t pipe-pane -t "bench:$name" "exec $bench first-frame --out $work/frame"
    t wait-for -S "go-$name"
}
# launch <label> <env…>: median of $LAUNCHES launches, first frame time − exec time
launch() {
    local label=$1; shift
    local vals=()
    for i in $(seq 1 "$LAUNCHES"); do
        window "run$i" "$@"
        for _ in $(seq 1 200); do [ -s "$work/frame" ] && break; sleep 0.02; done
        [ -s "$work/frame" ] || { echo "no first frame; the screen:" >&2; t capture-pane -p -t "bench:run$i" >&2; exit 1; }
        vals+=("$(awk -v a="$(cat "$work/start")" -v b="$(cat "$work/frame")" 'BEGIN { printf "%.1f", (b - a) * 1000 }')")
        t send-keys -t "bench:run$i" q
        for _ in $(seq 1 100); do t list-windows -t bench -F '#W' | grep -qx "run$i" || break; sleep 0.02; done
        t kill-window -t "bench:run$i" 2>/dev/null || true
    done
    local m; m=$(printf '%s\n' "${vals[@]}" | median)
    local ok; ok=$(awk -v m="$m" 'BEGIN { print (m <= 50) ? "ok" : "MISS" }')
    echo "$label: median $m ms (target ≤ 50 ms) $ok   [runs: ${vals[*]}]"
}
# (a) no credentials: the embedded simulator, registry-simulator.sqlite
export GREENVN_HOME="$work/tui"
mkdir -p "$GREENVN_HOME"
seed "$GREENVN_HOME/registry-simulator.sqlite" "$ROWS"
launch "embedded simulator (no credentials)" "GREENVN_HOME=$GREENVN_HOME"
bin=$dyn launch "  the same, dynamically linked build" "GREENVN_HOME=$GREENVN_HOME"
# (b) credentials set (the standalone simulator): no embedded simulator starts
export GREENVN_HOME="$work/tui-creds"
env $creds "$bin" list >/dev/null 2>&1 || true
reg=$(ls "$GREENVN_HOME"/registry-*.sqlite | head -1)
seed "$reg" "$ROWS"
launch "credentials set" "GREENVN_HOME=$GREENVN_HOME $creds"
bin=$dyn launch "  the same, dynamically linked build" "GREENVN_HOME=$GREENVN_HOME $creds"

fi

# ---------------------------------------------------------------------------------------
if want 3; then
echo; echo "# 3. $ROWS_BIG rows: greenvn list --filter, and the console's RSS"
export GREENVN_HOME="$work/big"
mkdir -p "$GREENVN_HOME"
seed "$GREENVN_HOME/registry-simulator.sqlite" "$ROWS_BIG"
for term in 9876 +9198; do
    n=$("$bin" list --filter "$term" 2>/dev/null | tail -1)
    hyperfine -N --warmup 1 --runs 5 --export-json "$work/list.json" "$bin list --filter $term" >/dev/null 2>&1
    echo "greenvn list --filter $term: median $(hf_median "$work/list.json") ms ($n)"
done
/usr/bin/time -f "%M" -o "$work/list.rss" "$bin" list --filter 9876 >/dev/null 2>&1
echo "greenvn list --filter 9876: max RSS $(awk '{ printf "%.1f MiB", $1 / 1024 }' "$work/list.rss")"
window big "GREENVN_HOME=$GREENVN_HOME"
for _ in $(seq 1 500); do [ -s "$work/frame" ] && break; sleep 0.02; done
pid=$(t display-message -p -t bench:big '#{pane_pid}')
for _ in $(seq 1 50); do t send-keys -t bench:big PageDown; done
t send-keys -t bench:big G; sleep 0.3; t send-keys -t bench:big g; sleep 0.3
t send-keys -t bench:big / 9 8 7 6; sleep 2; t send-keys -t bench:big Escape; sleep 1
rss=$(awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' /proc/"$pid"/status)
hwm=$(awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' /proc/"$pid"/status)
ok=$(awk -v m="$hwm" 'BEGIN { print (m * 1.048576 <= 100) ? "ok" : "MISS" }')
echo "console RSS with $ROWS_BIG rows (after PgDn ×50, G, g, filter 9876): VmRSS $rss MiB, VmHWM $hwm MiB (target ≤ 100 MB) $ok"
t send-keys -t bench:big q
fi

# ---------------------------------------------------------------------------------------
if want 4; then
echo; echo "# 4. bulk, $BULK_ROWS rows, against greenvn sim --pool-size 1000 as its own process (a fresh one per run)"
"$bench" bulk-input --rows "$BULK_ROWS" --csv "$work/bulk.csv" --bodies "$work/bulk.bodies"
run() { python3 scripts/bench/bulk_run.py "$@" || echo "  (that run failed its check)"; }
load
for c in 8 32 64; do
    run "greenvn bulk, concurrency $c" "$static" "$work" "$BULK_ROWS" "$static" bulk "$work/bulk.csv" --concurrency "$c"
    if [ -n "$BEFORE" ]; then
        run "before: greenvn bulk, concurrency $c (its own simulator)" "$BEFORE" "$work" "$BULK_ROWS" "$BEFORE" bulk "$work/bulk.csv" --concurrency "$c"
    fi
done
for c in 32 64; do
    run "peer: python asyncio, $c connections" "$static" "$work" "$BULK_ROWS" python3 scripts/bench/bulk_peer.py "{url}" "$work/bulk.bodies" "$c"
done
run "peer: xargs -P 32 curl" "$static" "$work" "$BULK_ROWS" bash -c "xargs -P 32 -d '\\n' -I BODY curl -sS --fail -o /dev/null -u sim-key:sim-token -H 'Content-Type: application/json' --data-binary BODY '{url}/tenants/SIMULATOR/greenvn' < '$work/bulk.bodies'"
load
fi
