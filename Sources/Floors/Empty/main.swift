// The floor of any Swift process: an empty main (BENCHMARKS.md; scripts/bench-process.sh).
