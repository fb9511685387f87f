#!/usr/bin/env python3
"""Runs several commands RUNS times each, interleaved (a round runs every command once, in turn),
so all see the same load on a shared machine, and prints per command the median wall time
(p10–p90), the median CPU time of the process and all its threads and children (user + sys from
wait4's rusage) and both ratios against the first command.

usage: interleave.py RUNS 'NAME=[KEY=VALUE ...] PROGRAM ARGS...' ...
  Each command is split like a shell word list (shlex) and run without a shell; leading
  KEY=VALUE words are added to its environment. `{n}` in any word is replaced by a value new
  in every run (fresh connection_ids). Output goes to /dev/null; a command that exits non-zero
  fails the whole run.
Standard library only."""
import os, shlex, statistics, subprocess, sys, time

def parse(spec):
    name, _, rest = spec.partition("=")
    words = shlex.split(rest)
    env = {}
    while words and "=" in words[0] and not words[0].startswith(("/", ".")):
        k, _, v = words.pop(0).partition("=")
        env[k] = v
    return name, env, words

def run_once(env, words, n):
    argv = [w.replace("{n}", n) for w in words]
    full = dict(os.environ, **{k: v.replace("{n}", n) for k, v in env.items()})
    t = time.perf_counter()
    p = subprocess.Popen(argv, env=full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t) * 1000
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {p.returncode}: {err.strip()[:400]}")
    return wall, ru.ru_utime * 1000, ru.ru_stime * 1000

def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]

def main():
    runs = int(sys.argv[1])
    commands = [parse(a) for a in sys.argv[2:]]
    results = {name: [] for name, _, _ in commands}
    stamp = f"{os.getpid()}-{int(time.time())}"
    for r in range(runs):
        for i, (name, env, words) in enumerate(commands):
            results[name].append(run_once(env, words, f"{stamp}-{r}-{i}"))
    base_wall = statistics.median(v[0] for v in results[commands[0][0]])
    base_cpu = statistics.median(v[1] + v[2] for v in results[commands[0][0]])
    width = max(len(n) for n, _, _ in commands)
    print(f"{'':{width}}  {'wall p50':>9} {'(p10–p90)':>15}  {'CPU p50':>8} {'user/sys':>13}  {'wall ×':>6} {'CPU ×':>6}")
    for name, _, _ in commands:
        v = results[name]
        wall = [x[0] for x in v]
        cpu = [x[1] + x[2] for x in v]
        w, c = statistics.median(wall), statistics.median(cpu)
        us = f"{statistics.median(x[1] for x in v):.1f}/{statistics.median(x[2] for x in v):.1f}"
        print(f"{name:{width}}  {w:7.1f}ms {pct(wall, .1):6.1f}–{pct(wall, .9):6.1f}ms  {c:6.1f}ms {us:>13}  "
              f"{w / base_wall:5.2f}× {c / base_cpu:5.2f}×")

if __name__ == "__main__":
    main()
