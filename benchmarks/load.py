#!/usr/bin/env python3
"""Load test of the intake desk: the real server (``generate.py serve``) on loopback, N concurrent
clients, a fixed number of "Make packet" requests. Prints figures; asserts nothing.

    python benchmarks/load.py                          # 4 clients, 1000 requests, 3 repeats (medians)
    python benchmarks/load.py --clients 8 --requests 400 --repeats 1
    python benchmarks/load.py --batch                  # also batch throughput, for the ratio

Each client is a thread with its own keep-alive connection and session: it fetches the form
once (CSRF token and cookie), then posts patients (mixed Latin, Chinese and Arabic, as
``bench.py`` mixes them) until the run's requests are used up. A request counts as an error
unless it answers 200 with a PDF. Figures:
- from starting ``serve`` to its first answer (the form page);
- requests per second; p50, p95 and p99 latency of one packet;
- memory of the server and its workers (RSS) after warm-up and at the end of every repeat.
Traffic goes to 127.0.0.1 only, and the run stops by itself.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LANGS = ["en", "es-US", "zh-Hans", "ar"]
NAMES = {"en": "Jordan Smith", "es-US": "Ana María Ruiz", "zh-Hans": "王小明", "ar": "فاطمة السيد"}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def form(i: int) -> dict:
    lang = LANGS[i % len(LANGS)]
    first = dt.date.today() + dt.timedelta(days=30 + i % 60)   # ahead: no "dates in the past" page
    return {"name": NAMES[lang], "mrn": f"{100000 + i:08d}", "language": lang,
            "first_admission": first.isoformat(), "paper": "", "action": "view"}


class Client:
    def __init__(self, host: str, port: int):
        self.conn = http.client.HTTPConnection(host, port, timeout=120)
        self.conn.request("GET", "/")
        r = self.conn.getresponse()
        html = r.read().decode("utf-8")
        self.cookie = (r.getheader("Set-Cookie") or "").split(";", 1)[0]
        self.token = _TOKEN.search(html).group(1)

    def packet(self, i: int) -> bool:
        body = urlencode({**form(i), "csrf_token": self.token}).encode("utf-8")
        self.conn.request("POST", "/packet", body, {"Content-Type": "application/x-www-form-urlencoded",
                                                     "Cookie": self.cookie})
        r = self.conn.getresponse()
        data = r.read()
        return r.status == 200 and data.startswith(b"%PDF")


def rss_mb(pid: int) -> float:
    import psutil
    proc = psutil.Process(pid)
    procs = [proc] + proc.children(recursive=True)
    total = 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total / 2 ** 20


def run(host: str, port: int, clients: int, requests: int, offset: int) -> dict:
    counter = iter(range(offset, offset + requests))
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def work():
        c = Client(host, port)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            t = time.perf_counter()
            try:
                ok = c.packet(i)
            except (OSError, http.client.HTTPException):
                ok = False
                c = Client(host, port)
            elapsed = time.perf_counter() - t
            with lock:
                latencies.append(elapsed)
                errors[0] += not ok

    threads = [threading.Thread(target=work) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    q = statistics.quantiles(latencies * 2 if len(latencies) == 1 else latencies, n=100, method="inclusive")
    return {"rps": len(latencies) / wall, "p50": q[49] * 1000, "p95": q[94] * 1000, "p99": q[98] * 1000,
            "errors": errors[0], "n": len(latencies)}


def cpu_seconds(pid: int) -> float:
    """CPU time the server's main process has used: unlike wall time, not stretched by a busy machine."""
    import psutil
    t = psutil.Process(pid).cpu_times()
    return t.user + t.system


def start_server(workers: int) -> tuple[subprocess.Popen, str, int, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, str(ROOT / "generate.py"), "serve", "--port", "0",
                             "--workers", str(workers)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    m = re.search(r"http://([\d.]+):(\d+)/", proc.stdout.readline())
    if not m:
        proc.kill()
        raise SystemExit("the server did not start")
    host, port = m.group(1), int(m.group(2))
    while True:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=10)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return proc, host, port, time.perf_counter() - t0
        except OSError:
            time.sleep(0.02)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    ap.add_argument("--requests", type=int, default=1000, help="requests per repeat (default 1000)")
    ap.add_argument("--repeats", type=int, default=3, help="repeats on the same server; medians (default 3)")
    ap.add_argument("--workers", type=int, default=0, help="server rendering processes (default: cores)")
    ap.add_argument("--batch", action="store_true", help="also measure batch throughput (--jobs = cores)")
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    workers = args.workers or cores
    print(f"machine: {cores} cores, load average {os.getloadavg()[0]:.1f}; server workers={workers}; "
          f"{args.clients} clients x {args.requests} requests, {args.repeats} repeat(s)")
    proc, host, port, startup = start_server(workers)
    try:
        cpu = cpu_seconds(proc.pid)
        t = time.perf_counter()
        first = run(host, port, 1, 1, 0)
        print(f"serve -> first answer: {startup:.2f} s (server main process CPU until then {cpu:.2f} s); "
              f"first packet after that: {(time.perf_counter() - t) * 1000:.0f} ms (errors {first['errors']})")
        run(host, port, args.clients, 8 * args.clients, 1)            # warm-up: every worker, every script
        mem = [rss_mb(proc.pid)]
        results = []
        for r in range(args.repeats):
            res = run(host, port, args.clients, args.requests, 10_000 * (r + 1))
            mem.append(rss_mb(proc.pid))
            results.append(res)
            print(f"  run {r + 1}: {res['rps']:.1f} req/s, p50 {res['p50']:.0f} ms, p95 {res['p95']:.0f} ms, "
                  f"p99 {res['p99']:.0f} ms, errors {res['errors']}/{res['n']}, RSS {mem[-1]:.0f} MB")
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    def med(key):
        return statistics.median(x[key] for x in results)
    print(f"median: {med('rps'):.1f} packets/s; latency per packet p50 {med('p50'):.0f} ms, "
          f"p95 {med('p95'):.0f} ms, p99 {med('p99'):.0f} ms; errors {sum(x['errors'] for x in results)} "
          f"of {sum(x['n'] for x in results)}")
    print(f"memory (server + workers, RSS): after warm-up {mem[0]:.0f} MB, after each repeat "
          + ", ".join(f"{m:.0f}" for m in mem[1:]) + f" MB ({(mem[-1] / mem[0] - 1) * 100:+.1f}%)")
    if args.batch:
        from benchmarks.bench import throughput
        from packets.program import load_program
        batch = throughput(load_program(), 120, cores, 3)
        print(f"batch --jobs {cores}: {batch:.1f} packets/s; the server reaches {med('rps') / batch * 100:.0f}%")
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
