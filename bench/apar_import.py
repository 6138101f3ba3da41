#!/usr/bin/env python3
"""The APAR import row of `make bench` (issue 17): SPARROW's bulk import in
requests of 1,000 new APARs, each over 1,000 distinct employees.

    bench/apar_import.py BASE_URL TOKEN --list-token DOPT_TOKEN [--rows N]
        [--sequential N] [--clients N] [--per-client N] [--year YYYY]

Takes the employees from the listing (`GET /v1/employees`, pages of 200)
who had joined Government by the first reporting year sent (read from each
record: an APAR reports on service rendered),
builds every body before the clock starts, then sends them over kept-alive
connections: first one request after another, then from several clients
at once. Every request must create all its rows; rows/s is rows over the
wall time of the phase. Prints one line per phase:
`rows/s|note` (sequential, then concurrent).
"""
import argparse
import http.client
import json
import os
import sys
import threading
import time
import urllib.parse
import uuid


def main():
    p = argparse.ArgumentParser()
    p.add_argument("base")
    p.add_argument("token", help="an integration client's token with apar:write")
    p.add_argument("--list-token", required=True, help="a token that lists every employee")
    p.add_argument("--rows", type=int, default=1000, help="rows per request")
    p.add_argument("--sequential", type=int, default=10, help="requests one after another")
    p.add_argument("--clients", type=int, default=4, help="clients sending at once")
    p.add_argument("--per-client", type=int, default=3, help="requests per concurrent client")
    p.add_argument("--year", type=int, default=2015,
                   help="first reporting year sent (employees who joined Government by its"
                        " first day only: an APAR reports on service rendered)")
    p.add_argument("--server-pid", type=int, help="also give the server's CPU time per request")
    a = p.parse_args()

    def cpu():
        # utime + stime of the server process, in seconds (less sensitive
        # than the wall time to other work on a shared machine).
        if not a.server_pid:
            return 0.0
        with open(f"/proc/{a.server_pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def cpu_note(c0, n):
        return f"; server CPU {(cpu() - c0) * 1000 / n:.0f} ms a request" if a.server_pid else ""

    url = urllib.parse.urlsplit(a.base)
    auth = {"Authorization": f"Bearer {a.token}"}
    lister = {"Authorization": f"Bearer {a.list_token}"}

    def connect():
        return http.client.HTTPConnection(url.hostname, url.port, timeout=120)

    # Distinct employees: enough for the requests of one phase.
    want = a.rows * max(a.sequential, a.clients * a.per_client)
    codes, cursor, conn = [], None, connect()
    while len(codes) < want:
        q = "limit=200" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        conn.request("GET", f"/v1/employees?{q}", headers=lister)
        page = json.loads(conn.getresponse().read())
        for i in page["items"]:
            # An APAR reports on service rendered: only employees who had
            # joined Government by the first day sent (the list gives no
            # dates; the record does).
            conn.request("GET", f"/v1/employees/{i['code']}", headers=lister)
            record = json.loads(conn.getresponse().read())
            if record["joined_government_on"] <= f"{a.year}-04-01":
                codes.append(i["code"])
        if not page["items"] or not page.get("next"):
            break
        cursor = page["items"][-1]["code"]
    codes = list(dict.fromkeys(codes))[:want]
    if len(codes) < want:
        sys.exit(f"apar_import: {len(codes)} employees listed, {want} needed")

    def body(chunk, year):
        rows = [{"employee_code": c, "from": f"{year}-04-01", "to": f"{year + 1}-03-31",
                 "grading": "very_good"} for c in chunk]
        return json.dumps({"rows": rows}).encode()

    def chunk(i):
        return codes[(i * a.rows) % len(codes):][: a.rows]

    def send(conn, data):
        conn.request("POST", "/v1/apars/import", body=data, headers={
            **auth, "Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
        res = conn.getresponse()
        raw = res.read()
        if res.status != 200:
            sys.exit(f"apar_import: {res.status} {raw[:300]!r}")
        report = json.loads(raw)
        if report["created"] != a.rows:
            sys.exit(f"apar_import: {report['created']} of {a.rows} created")

    # One after another: each request a new reporting year of the same employees.
    seq = [body(chunk(i), a.year) for i in range(a.sequential)]
    conn = connect()
    c0, t0 = cpu(), time.perf_counter()
    for data in seq:
        send(conn, data)
    wall = time.perf_counter() - t0
    print(f"{a.sequential * a.rows / wall:.0f}|{a.sequential} requests of {a.rows} rows, one after another"
          + cpu_note(c0, a.sequential))

    # Several clients at once, each over employees the others are not sending.
    year = a.year + 1
    bodies = [[body(chunk(k * a.per_client + i), year) for i in range(a.per_client)]
              for k in range(a.clients)]
    failed = []

    def client(mine):
        try:
            c = connect()
            for data in mine:
                send(c, data)
        except SystemExit as e:
            failed.append(str(e))

    threads = [threading.Thread(target=client, args=(b,)) for b in bodies]
    c0, t0 = cpu(), time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if failed:
        sys.exit(failed[0])
    n = a.clients * a.per_client
    print(f"{n * a.rows / wall:.0f}|{n} requests of {a.rows} rows from {a.clients} clients at once"
          + cpu_note(c0, n))


if __name__ == "__main__":
    main()
