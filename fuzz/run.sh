#!/usr/bin/env bash
# Fuzzes what greenvn reads from outside under libFuzzer. Not part of CI (too slow).
#
#   fuzz/run.sh [-t SECONDS] [TARGET …]     build, then fuzz each target (default: all, 60 s each)
#   fuzz/run.sh repro TARGET FILE …         run inputs once through the fuzz build (a crash shows its trace)
#   fuzz/run.sh minimize TARGET CRASH       shrink a crashing input to fuzz/out/TARGET/minimized-<name>
#
# Targets: decoder (Wire.decodeAnswer: Lead Assist's answers), request (Wire.draft(fromCreate/Swap/
# PartyUpdate): request bodies as the simulator and the outbox read them), csv (CSVReader and
# BulkImport.parse). Seeds: fuzz/corpus/TARGET (committed, read only); new inputs go to
# fuzz/out/TARGET/corpus and crashes to fuzz/out/TARGET/crashes (fuzz/out is ignored by git).
# Ends with one line per target:  decoder: 1234567 execs, 0 crashes, corpus 345 (+12 new), 60 s
#
# Env: FUZZ_NO_BUILD=1 skips the build; FUZZ_ARGS adds libFuzzer flags (e.g. -use_value_profile=1).
# A crash found: minimize it, copy the result into fuzz/corpus/TARGET/, fix the cause; the corpus
# is replayed by `swift test` (FuzzCorpusTests, CSVCorpusTests) and `swift run greenvn-fuzz all`.
set -euo pipefail
# Swift's own crash backtracer would take the signal before libFuzzer saves the crashing input.
export SWIFT_BACKTRACE=enable=no

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
targets_all=(decoder request csv)
scratch="$root/.build-fuzz"

build() {
    [[ ${FUZZ_NO_BUILD:-} == 1 ]] && return 0
    echo "building greenvn-fuzz (release, -sanitize=fuzzer) in .build-fuzz …" >&2
    # -sanitize=fuzzer on every Swift module: coverage for Kit and Store, and libFuzzer's main at link.
    swift build -c release --product greenvn-fuzz --scratch-path "$scratch" \
        -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING >&2
}

binary() {
    swift build -c release --scratch-path "$scratch" --show-bin-path -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING 2>/dev/null \
        | tail -n1 | sed 's|$|/greenvn-fuzz|'
}

dict_for() { case $1 in csv) echo "$root/fuzz/dict/csv.dict" ;; *) echo "$root/fuzz/dict/json.dict" ;; esac; }

check_target() {
    case $1 in decoder|request|csv) ;; *) echo "unknown target '$1' (decoder, request, csv)" >&2; exit 2 ;; esac
}

count_files() { find "$1" -maxdepth 1 -type f 2>/dev/null | wc -l | tr -d ' '; }

case ${1:-} in
repro)
    [[ $# -ge 3 ]] || { echo "usage: fuzz/run.sh repro TARGET FILE …" >&2; exit 2; }
    check_target "$2"; build; bin=$(binary); t=$2; shift 2
    GREENVN_FUZZ=$t exec "$bin" "$@"
    ;;
minimize)
    [[ $# -eq 3 ]] || { echo "usage: fuzz/run.sh minimize TARGET CRASH" >&2; exit 2; }
    check_target "$2"; build; bin=$(binary)
    out="$root/fuzz/out/$2/minimized-$(basename "$3")"
    mkdir -p "$root/fuzz/out/$2"
    GREENVN_FUZZ=$2 "$bin" -minimize_crash=1 -max_total_time="${FUZZ_MINIMIZE_TIME:-60}" \
        -exact_artifact_path="$out" "$3" >&2 || true
    echo "$out"
    exit 0
    ;;
esac

seconds=60
if [[ ${1:-} == -t ]]; then seconds=$2; shift 2; fi
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${targets_all[@]}")
for t in "${targets[@]}"; do check_target "$t"; done

build
bin=$(binary)
[[ -x $bin ]] || { echo "no fuzz binary at $bin" >&2; exit 1; }

summary=()
status=0
for t in "${targets[@]}"; do
    out="$root/fuzz/out/$t"
    mkdir -p "$out/corpus" "$out/crashes"
    before_corpus=$(count_files "$out/corpus")
    marker="$out/.started"; : > "$marker"; started=$SECONDS
    log="$out/fuzz-0.log"; rm -f "$log"
    echo "fuzzing $t for ${seconds}s (log: fuzz/out/$t/fuzz-0.log) …" >&2
    # -jobs=1 -workers=1: one process on one core (the machine is shared); the job logs to fuzz-0.log
    # in the working directory. New inputs land in the first corpus directory, seeds stay read only.
    # shellcheck disable=SC2086
    (cd "$out" && GREENVN_FUZZ=$t "$bin" -jobs=1 -workers=1 \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -dict="$(dict_for "$t")" -artifact_prefix="$out/crashes/" \
        ${FUZZ_ARGS:-} "$out/corpus" "$root/fuzz/corpus/$t" >/dev/null 2>&1) || true
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -n1 | grep -o '[0-9]*$' || true)
    if [[ -z $execs ]]; then   # no final stats (killed): the last status line
        execs=$(grep -oE '^#[0-9]+' "$log" | tail -n1 | tr -d '#' || true)
    fi
    crashes=$(find "$out/crashes" -maxdepth 1 -type f -newer "$marker" | wc -l | tr -d ' ')
    if [[ $crashes -eq 0 ]] && grep -q 'ERROR: libFuzzer\|invariant broken\|Program crashed' "$log" 2>/dev/null; then
        crashes=1; echo "  $t crashed without saving its input: see fuzz/out/$t/fuzz-0.log" >&2
    fi
    after_corpus=$(count_files "$out/corpus")
    seeds=$(count_files "$root/fuzz/corpus/$t")
    elapsed=$((SECONDS - started))
    summary+=("$t: ${execs:-0} execs, $crashes crashes, corpus $((after_corpus + seeds)) (+$((after_corpus - before_corpus)) new), ${elapsed} s")
    if [[ $crashes -gt 0 ]]; then
        status=1
        find "$out/crashes" -maxdepth 1 -type f -newer "$marker" | sed "s|^$root/|  crash: |" >&2
        grep -m1 -A3 'invariant broken\|Fatal error\|ERROR: libFuzzer' "$log" | sed 's/^/  /' >&2 || true
    fi
    rm -f "$marker"
done
printf '%s\n' "${summary[@]}"
exit $status
