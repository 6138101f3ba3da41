#!/usr/bin/env python3
"""The webhook fan-out row of `make bench` (INT-2), standard library only.

    webhooks.py receive PORT OUT
        A local receiver (asyncio, HTTP/1.1 keep-alive): answers 204 and notes
        per message its arrival time, `webhook-id` and the change's commit
        time (`data.at`, stamped in the writing transaction) in OUT.
    webhooks.py write BASE TOKEN RATE SECONDS CODES
        A steady write load: audited POSTs of vigilance statuses started at a
        fixed RATE per second for SECONDS (open loop: each request has its
        scheduled time, late or not, as wrk2 does), over a pool of keep-alive
        connections, spread over the employee CODES (comma-separated).
        Prints `sent|ok|writes/s|p50 ms|p99 ms|late` (latency from the
        scheduled time, so a stalled server is not hidden).
    webhooks.py report OUT EXPECTED
        Waits (at most 60 s) until EXPECTED messages have arrived or none
        arrive any more, then prints
        `deliveries/s|p50 ms|p99 ms|received|distinct`, the rate over the
        span from the first arrival to the last.
"""

import asyncio
import json
import sys
import time
from datetime import datetime

CONNECTIONS = 64


async def read_message(reader):
    """Headers (lower-cased) and body of one HTTP/1.1 message, or None at EOF."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return lines[0], headers, body


def receive(port, out_path):
    out = open(out_path, "a", buffering=1 << 16)

    async def conn(reader, writer):
        while True:
            msg = await read_message(reader)
            if msg is None:
                break
            _, headers, body = msg
            now = time.time()
            at = json.loads(body)["data"].get("at", "")
            out.write(f"{now} {headers.get('webhook-id')} {at}\n")
            writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
        writer.close()

    async def flush():
        while True:
            await asyncio.sleep(0.5)
            out.flush()

    async def main():
        server = await asyncio.start_server(conn, "127.0.0.1", port, backlog=1024)
        asyncio.get_running_loop().create_task(flush())
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def percentile(sorted_values, q):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * q))]


def write(base, token, rate, seconds, codes):
    host, port = base.removeprefix("http://").split(":")
    codes = [c.strip('"') for c in codes.split(",") if c]
    # Dated today: on or after every employee's joining (VIG-1).
    body = json.dumps({"status": "clear", "effective_from": time.strftime("%Y-%m-%d"),
                       "order_ref": "AVD-I/1/2026"}).encode()
    latencies, failed, late = [], [0], [0]

    async def main():
        idle = asyncio.Queue()
        for _ in range(CONNECTIONS):
            idle.put_nowait(await asyncio.open_connection(host, int(port)))

        async def one(i, scheduled, conn):
            reader, writer = conn
            code = codes[(i * 7919) % len(codes)]
            writer.write(
                f"POST /v1/employees/{code}/vigilance-status HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n".encode() + body
            )
            msg = await read_message(reader)
            if msg is None or " 201 " not in msg[0] + " ":
                failed[0] += 1
            if msg is None or msg[1].get("connection") == "close":
                writer.close()
                conn = await asyncio.open_connection(host, int(port))
            latencies.append(time.monotonic() - scheduled)
            idle.put_nowait(conn)

        tasks, total = [], int(rate * seconds)
        t0 = time.monotonic()
        for i in range(total):
            scheduled = t0 + i / rate
            delay = scheduled - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            if idle.empty():
                late[0] += 1
            conn = await idle.get()
            tasks.append(asyncio.create_task(one(i, scheduled, conn)))
        await asyncio.gather(*tasks)
        return total, time.monotonic() - t0

    total, span = asyncio.run(main())
    lat = sorted(latencies)
    print(
        f"{total}|{total - failed[0]}|{total / span:.0f}|{percentile(lat, 0.5) * 1000:.0f}"
        f"|{percentile(lat, 0.99) * 1000:.0f}|{late[0]}"
    )


def report(out_path, expected):
    deadline, last = time.time() + 60, -1
    while time.time() < deadline:
        n = sum(1 for _ in open(out_path))
        if n >= expected or n == last:
            break
        last = n
        time.sleep(2)
    rows = [line.split() for line in open(out_path)]
    if not rows:
        sys.exit("webhooks: nothing was delivered")
    arrived = [float(r[0]) for r in rows]
    lat = sorted(
        float(r[0]) - datetime.fromisoformat(r[2].replace("Z", "+00:00")).timestamp()
        for r in rows
    )
    span = max(max(arrived) - min(arrived), 1e-6)
    print(
        f"{len(rows) / span:.0f}|{percentile(lat, 0.5) * 1000:.0f}|{percentile(lat, 0.99) * 1000:.0f}"
        f"|{len(rows)}|{len({r[1] for r in rows})}"
    )


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "receive":
        receive(int(args[0]), args[1])
    elif cmd == "write":
        write(args[0], args[1], float(args[2]), float(args[3]), args[4])
    elif cmd == "report":
        report(args[0], int(args[1]))
    else:
        sys.exit(__doc__)
