#!/usr/bin/env bash
# The whole-process figures of BENCHMARKS.md, with public tools only (hyperfine, curl, tmux,
# bash's $EPOCHREALTIME, /proc):
#   1. `greenvn allocate` against `curl` sending the same POST to the same standalone
#      simulator (`greenvn sim`), a new connection_id every run, medians of RUNS runs each;
#      then `greenvn list --filter` at ROWS_BIG rows.
#   2. launch → first full frame of the console inside tmux with ROWS rows in the registry:
#      bash records $EPOCHREALTIME and execs greenvn; `greenvn-bench first-frame` reads the
#      pane's output (tmux pipe-pane) and records when the first frame with rows (its " 1 of N "
#      position line) reached the terminal. No hook in greenvn: the frame the operator sees.
#      Measured on the embedded simulator (no credentials) and with credentials set.
#   3. RSS of the console (VmRSS/VmHWM from /proc/PID/status) with ROWS_BIG rows, after
#      paging through the list.
# Two builds of greenvn are measured: the default release build (Swift's libraries linked
# dynamically) and one with --static-swift-stdlib (.build-static), which starts ~10 ms sooner:
# no symbol lookups across twenty shared libraries.
# Usage: scripts/bench-process.sh [--skip-build]   (env: RUNS=30 ROWS=100000 ROWS_BIG=1000000 LAUNCHES=15;
#        SEEDED=DIR copies DIR/registry-N.sqlite, made by `greenvn-bench seed`, instead of seeding again)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
RUNS=${RUNS:-30}
ROWS=${ROWS:-100000}
ROWS_BIG=${ROWS_BIG:-1000000}
LAUNCHES=${LAUNCHES:-15}

if [ "${1:-}" != "--skip-build" ]; then
    swift build -c release --scratch-path .build-release --product greenvn >&2
    swift build -c release --scratch-path .build-release --product greenvn-bench >&2
    swift build -c release --scratch-path .build-static --static-swift-stdlib --product greenvn >&2
fi
dyn="$root/.build-release/release/greenvn"
static="$root/.build-static/release/greenvn"
[ -x "$static" ] || static=$dyn
bin=$static
bench="$root/.build-release/release/greenvn-bench"
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install -y hyperfine)" >&2; exit 1; }

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
echo; echo "# 1. greenvn allocate vs curl, same POST, same standalone simulator ($RUNS runs each)"
port=$((20000 + RANDOM % 20000))
"$bin" sim --port "$port" --state "$work/sim.sqlite" --pool-size 1000 >"$work/sim.log" 2>&1 &
simpid=$!
for _ in $(seq 1 100); do grep -q listening "$work/sim.log" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$work/sim.log" || { cat "$work/sim.log" >&2; exit 1; }
base="http://127.0.0.1:$port/v1"
export GREENVN_HOME="$work/cli"
creds="GREENVN_BASE_URL=$base EXOTEL_ACCOUNT_SID=SIMULATOR EXOTEL_API_KEY=sim-key EXOTEL_API_TOKEN=sim-token"
# One allocate first: creates the registry file, so every timed run opens an existing one.
env $creds "$bin" allocate --a +919876543210 --b +918765432109 --usage twoway --connection-id warm-$$ >/dev/null
url="$base/tenants/SIMULATOR/greenvn"
# The body greenvn sends (Wire.body), with a new connection_id from bash (no extra process).
curl_cmd="curl -sS -o /dev/null -u sim-key:sim-token -H 'Content-Type: application/json' --data-binary '{\"aparty_numbers\":[\"+919876543210\"],\"bparty_numbers\":[\"+918765432109\"],\"connection_id\":\"c-'\${EPOCHREALTIME/./}-\$RANDOM'\",\"usage\":\"twoway\"}' $url"
gvn_cmd() { echo "env $creds $1 allocate --a +919876543210 --b +918765432109 --usage twoway --connection-id g-\${EPOCHREALTIME/./}-\$RANDOM"; }
hyperfine --shell bash --warmup 3 --runs "$RUNS" --export-json "$work/curl.json" -n curl "$curl_cmd" >"$work/curl.txt" 2>&1
hyperfine --shell bash --warmup 3 --runs "$RUNS" --export-json "$work/gvn.json" -n "greenvn allocate" "$(gvn_cmd "$dyn")" >"$work/gvn.txt" 2>&1
hyperfine --shell bash --warmup 3 --runs "$RUNS" --export-json "$work/gvns.json" -n "greenvn allocate (static)" "$(gvn_cmd "$static")" >"$work/gvns.txt" 2>&1
hyperfine -N --warmup 3 --runs "$RUNS" --export-json "$work/help.json" "$static --help" >/dev/null 2>&1
grep -E "Time|Range" "$work/curl.txt" | sed 's/^/  curl                      /'
grep -E "Time|Range" "$work/gvn.txt" | sed 's/^/  greenvn allocate          /'
grep -E "Time|Range" "$work/gvns.txt" | sed 's/^/  greenvn allocate (static) /'
c=$(hf_median "$work/curl.json")
for f in gvn gvns; do
    g=$(hf_median "$work/$f.json")
    ratio=$(awk -v g="$g" -v c="$c" 'BEGIN { printf "%.2f", g / c }')
    ok=$(awk -v r="$ratio" 'BEGIN { print (r <= 1.5) ? "ok" : "MISS" }')
    echo "median: curl $c ms · $( [ $f = gvn ] && echo "greenvn allocate" || echo "greenvn allocate (static)") $g ms · ratio ${ratio}× (target ≤ 1.5×) $ok"
done
echo "for scale: \`greenvn --help\` (static; process start, no registry, no network): median $(hf_median "$work/help.json") ms"
allocated=$(env $creds "$bin" list 2>/dev/null | tail -1)
echo "registry after the runs: $allocated"

# ---------------------------------------------------------------------------------------
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

# ---------------------------------------------------------------------------------------
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
