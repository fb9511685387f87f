#!/usr/bin/env python3
"""The peer of `greenvn bulk`: the same create POSTs (one JSON body a line, as greenvn sends them)
to the same server, CONCURRENCY keep-alive connections with asyncio and plain sockets (no HTTP
library), and nothing else: no registry, no outbox, no validation. Prints the creates per second;
exits 1 if any answer is not a 200.

usage: bulk_peer.py BASE_URL BODIES_FILE CONCURRENCY [ACCOUNT_SID KEY TOKEN]
Standard library only."""
import asyncio, base64, sys, time, urllib.parse

async def main():
    base, path, conc = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sid, key, token = (sys.argv[4:7] + ["SIMULATOR", "sim-key", "sim-token"][len(sys.argv[4:7]):])
    u = urllib.parse.urlparse(base)
    target = f"{u.path}/tenants/{sid}/greenvn"
    auth = "Basic " + base64.b64encode(f"{key}:{token}".encode()).decode()
    head = (f"POST {target} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nAuthorization: {auth}\r\n"
            f"Accept: application/json\r\nContent-Type: application/json\r\nContent-Length: ").encode()
    bodies = [line.encode() for line in open(path, encoding="utf-8").read().splitlines() if line]
    queue = iter(bodies)
    failures = []

    async def worker():
        reader, writer = await asyncio.open_connection(u.hostname, u.port)
        for body in queue:   # one shared iterator: each body is sent once
            writer.write(head + str(len(body)).encode() + b"\r\n\r\n" + body)
            status = await reader.readline()
            length = 0
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            answer = await reader.readexactly(length)
            if b" 200 " not in status:
                failures.append(status.decode(errors="replace").strip() + " " + answer[:200].decode(errors="replace"))
        writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(conc)))
    seconds = time.perf_counter() - started
    print(f"{len(bodies)} POSTs in {seconds:.2f} s = {len(bodies) / seconds:.0f}/s, not 200: {len(failures)}")
    if failures:
        print("first failure:", failures[0], file=sys.stderr)
        sys.exit(1)

asyncio.run(main())
