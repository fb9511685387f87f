#!/usr/bin/env python3
"""One bulk figure: a fresh `greenvn sim` (its own process, --pool-size 1000, a new state file),
then CLIENT against it; prints allocations per second, the client's CPU per row (wait4's rusage:
every thread and child) and the simulator's (/proc/PID/stat, before and after), and checks the
outcome: the server holds ROWS allocations and, when the client is greenvn, its registry knows
each one and its outbox is empty (exactly once). Exits 1 if the check fails.

usage: bulk_run.py LABEL GREENVN_BIN WORKDIR ROWS CLIENT ARGS...
  `{url}` in CLIENT's words is the simulator's base URL; the client's environment has
  GREENVN_BASE_URL, the simulator's credentials and GREENVN_HOME=WORKDIR/LABEL-home.
Standard library only."""
import glob, os, re, signal, sqlite3, subprocess, sys, time

def cpu_ms(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")

def count(path, sql):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute(sql).fetchone()[0]
    finally:
        db.close()

def main():
    label, binary, work, rows = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    client = sys.argv[5:]
    state = f"{work}/{label}-sim.sqlite"
    home = f"{work}/{label}-home"
    for f in glob.glob(state + "*"):
        os.remove(f)
    sim = subprocess.Popen([binary, "sim", "--port", "0", "--state", state, "--pool-size", "1000"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = None
    for line in sim.stdout:
        m = re.search(r"listening on (http://\S+/v1)", line)
        if m:
            url = m.group(1)
            break
    if not url:
        sys.exit(f"{label}: the simulator did not start")
    try:
        env = dict(os.environ, GREENVN_BASE_URL=url, EXOTEL_ACCOUNT_SID="SIMULATOR", EXOTEL_API_KEY="sim-key",
                   EXOTEL_API_TOKEN="sim-token", GREENVN_HOME=home)
        argv = [w.replace("{url}", url) for w in client]
        sim_before = cpu_ms(sim.pid)
        started = time.perf_counter()
        p = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        out = p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        seconds = time.perf_counter() - started
        sim_ms = cpu_ms(sim.pid) - sim_before
    finally:
        sim.send_signal(signal.SIGTERM)
        try:
            sim.wait(timeout=30)
        except subprocess.TimeoutExpired:
            sim.kill()
    code = os.waitstatus_to_exitcode(status)
    held = count(state, "SELECT COUNT(*) FROM allocation")
    check = f"server holds {held}"
    ok = code == 0 and held == rows
    registries = glob.glob(f"{home}/registry-*.sqlite")
    if registries:
        known = count(registries[0], "SELECT COUNT(*) FROM allocation WHERE status = 'known'")
        waiting = count(registries[0], "SELECT COUNT(*) FROM outbox")
        check += f", registry knows {known}, outbox {waiting}"
        ok = ok and known == rows and waiting == 0
    client_ms = (ru.ru_utime + ru.ru_stime) * 1000
    print(f"{label}: {rows} in {seconds:.2f} s = {rows / seconds:,.0f} allocations/s · client CPU "
          f"{client_ms / rows:.3f} ms/row · simulator CPU {sim_ms / rows:.3f} ms/row · {check}"
          f"{'' if ok else '  FAILED (exit ' + str(code) + ')'}")
    if not ok:
        print(out[-2000:], file=sys.stderr)
        sys.exit(1)

if __name__ == "__main__":
    main()
