#!/usr/bin/env python3
"""The visitors of bench/capacity.sh: scans arriving at a fixed rate, from one process.

  capacity_client.py --mix MIX.json --visitors N --rate R --duration S --out OUT.json
                     [--lone K] [--rest S] [--server-pid PID] [--server-ns NS] [--relay-pid PID]

Each visitor namespace of the pool is entered only to open a socket there (setns, then
back), so one asyncio loop runs every visitor: no process is started per scan (a Python
interpreter per scan, as bench/cluster_load.sh does, saturated this 2-core machine at 5 scans
a second). First K lone scans, one after the other from different visitors: the time of a
scan with nothing else running. Then scan k is due at t0 + k / R for k < R x S, and starts
then whatever the earlier ones are doing. A scan: POST /api/v1/scans {"ports":"service",
"ping":true,"upnp":true} from the visitor, then its event stream to the "done" event; the
verdicts are the stream's events (what the scan page shows), checked with check_scan.py.

Which visitor takes an arrival: the one idle longest, if it finished at least REST seconds
ago; REST (7 s) lets the visitor's ICMP error limit refill (Linux: 6 at once, then 1 a second)
and its last scan's count leave the engine, so a reused visitor is indistinguishable from a
new one. Failing that, the idle one that rested longest ("early"); failing that, the arrival
is dropped ("no visitor"). Either means the pool was too small for the rate: the script
sizes it so that neither happens, and reports both.

Writes OUT.json: per scan the planned start, actual start (POST sent), POST answer, "done"
time (all on the monotonic clock, seconds after t0), state and wrong verdicts; the lone
times; the server's CPU seconds and probes sent (/metrics) from just before the first
arrival to the last "done"; in the same window the CPU of the link relay and of this process,
and the machine's idle and softirq (the kernel's packet work) CPU seconds.
"""
import argparse
import asyncio
import ctypes
import json
import os
import socket
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import check_scan  # noqa: E402

SERVER = ("198.18.0.1", 8080)
HOST = "198.18.0.1:8080"
ORDER = b'{"ports":"service","ping":true,"upnp":true}'
CLONE_NEWNET = 0x40000000
STREAM_LIMIT = 120.0  # seconds a scan may take before it counts as lost

libc = ctypes.CDLL("libc.so.6", use_errno=True)
own_ns = os.open("/proc/self/ns/net", os.O_RDONLY)
ns_fds = {}


def ns_fd(name):
    if name not in ns_fds:
        ns_fds[name] = os.open(f"/run/netns/{name}", os.O_RDONLY)
    return ns_fds[name]


def socket_in(ns):
    """A TCP socket of namespace `ns`: it stays there after this thread goes back."""
    if libc.setns(ns_fd(ns), CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), f"setns {ns}")
    try:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    finally:
        if libc.setns(own_ns, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns back")
    s.setblocking(False)
    return s


async def open_in(ns):
    s = socket_in(ns)
    await asyncio.get_running_loop().sock_connect(s, SERVER)
    return await asyncio.open_connection(sock=s, limit=1 << 20)


async def read_head(reader):
    status_line = await reader.readline()
    parts = status_line.split(b" ", 2)
    status = int(parts[1]) if len(parts) > 1 else 0
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        k, _, v = line.decode("latin-1").partition(":")
        headers[k.strip().lower()] = v.strip()
    return status, headers


async def body_chunks(reader, headers):
    """The body's bytes as they come (chunked, by length, or to the end of the connection)."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                return
            yield await reader.readexactly(size)
            await reader.readexactly(2)
    elif "content-length" in headers:
        yield await reader.readexactly(int(headers["content-length"]))
    else:
        while chunk := await reader.read(65536):
            yield chunk


async def request(ns, method, path, body=None):
    reader, writer = await open_in(ns)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n"
        if body is not None:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + (body or b""))
        status, headers = await read_head(reader)
        data = b"".join([c async for c in body_chunks(reader, headers)])
        return status, data
    finally:
        writer.close()


async def follow(ns, sid, clock):
    """Reads the scan's events to "done": (done time, result rebuilt from the events, phase)."""
    reader, writer = await open_in(ns)
    result = {"ports": [], "ping": None, "upnp": None, "summary": None}
    try:
        writer.write(f"GET /api/v1/scans/{sid}/events HTTP/1.1\r\nHost: {HOST}\r\n"
                     "Connection: close\r\n\r\n".encode())
        status, headers = await read_head(reader)
        if status != 200:
            return None, result, f"events {status}"
        pending, event, data = b"", None, []
        async for chunk in body_chunks(reader, headers):
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                if line.startswith(b"event: "):
                    event = line[7:].decode()
                elif line.startswith(b"data: "):
                    data.append(line[6:])
                elif line == b"" and event:
                    obj = json.loads(b"\n".join(data))
                    if event == "verdict" and obj.get("transport", "tcp") == "tcp":
                        result["ports"].append(obj)
                    elif event in ("ping", "upnp"):
                        result[event] = obj
                    elif event == "done":
                        result["summary"] = obj.get("summary")
                        return clock(), result, obj.get("phase")
                    event, data = None, []
        return None, result, "stream ended before done"
    finally:
        writer.close()


async def scan(visitor, mix, clock):
    """One visitor's scan: {"posted", "answered", "done", "state", "wrong", ...}."""
    ns = mix[visitor]["ns"]
    rec = {"visitor": visitor, "posted": clock()}
    try:
        status, body = await asyncio.wait_for(request(ns, "POST", "/api/v1/scans", ORDER), 30)
        rec["answered"] = clock()
        rec["status"] = status
        if status != 202:
            rec["state"] = f"refused {status}: {body[:200].decode(errors='replace')}"
            return rec
        sid = json.loads(body)["id"]
        done, result, phase = await asyncio.wait_for(follow(ns, sid, clock), STREAM_LIMIT)
        rec["done"] = done
        rec["state"] = phase
        if phase == "done":
            args = {k: v for k, v in mix[visitor].items() if k != "ns"}
            rec["wrong_lines"] = check_scan.wrong_verdicts(result, **args)[:5]
            rec["wrong"] = len(check_scan.wrong_verdicts(result, **args))
    except (OSError, asyncio.TimeoutError, ValueError, KeyError, asyncio.IncompleteReadError) as e:
        rec["state"] = f"{type(e).__name__}: {e}"
    return rec


def proc_times(path):
    """(user, system) CPU seconds from a /proc stat file."""
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tck = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tck, int(fields[12]) / tck


def proc_cpu(pid):
    return sum(proc_times(f"/proc/{pid}/stat"))


def thread_cpu(pid):
    """{"all" or thread id: [user, system]}: the threads are not named, but the busiest one
    shows whether one thread (the scan service's) is what runs out first."""
    out = {"all": list(proc_times(f"/proc/{pid}/stat"))}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            out[tid] = list(proc_times(f"/proc/{pid}/task/{tid}/stat"))
        except OSError:
            continue
    return out


def machine_cpu():
    """(idle, softirq) CPU seconds of the whole machine, all cores."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    tck = os.sysconf("SC_CLK_TCK")
    return (int(fields[4]) + int(fields[5])) / tck, int(fields[7]) / tck


async def probes_sent(server_ns):
    """breakwater_scan_probes_total from the server's /metrics (asked from its own namespace)."""
    if not server_ns:
        return None
    status, body = await request(server_ns, "GET", "/metrics")
    for line in body.decode().splitlines():
        if line.startswith("breakwater_scan_probes_total "):
            return int(line.split()[1])
    return None


class Pool:
    def __init__(self, visitors, rest):
        self.rest = rest
        self.busy = set()
        self.ended = {v: -1e9 for v in visitors}  # never scanned: rested forever
        self.early = 0
        self.none_free = 0

    def take(self, now):
        idle = [v for v in self.ended if v not in self.busy]
        if not idle:
            self.none_free += 1
            return None
        v = min(idle, key=lambda v: self.ended[v])
        if now - self.ended[v] < self.rest:
            self.early += 1
        self.busy.add(v)
        return v

    def give_back(self, v, now):
        self.busy.discard(v)
        self.ended[v] = now


async def main_async(a):
    with open(a.mix) as f:
        mix = json.load(f)
    visitors = [str(i) for i in range(1, a.visitors + 1)]
    t_base = time.monotonic()
    clock = lambda: time.monotonic() - t_base  # noqa: E731
    pool = Pool(visitors, a.rest)
    out = {"rate": a.rate, "duration": a.duration, "pool": a.visitors, "rest": a.rest,
           "loadavg_start": open("/proc/loadavg").read().split()[:3]}

    # Lone scans: nothing else runs.
    lone = []
    for k in range(a.lone):
        v = pool.take(clock())
        rec = await scan(v, mix, clock)
        pool.give_back(v, clock())
        rec["took"] = rec["done"] - rec["posted"] if rec.get("done") else None
        lone.append(rec)
        await asyncio.sleep(0.5)
    out["lone"] = lone
    await asyncio.sleep(1.0)

    # The arrivals.
    probes0 = await probes_sent(a.server_ns)
    cpu0 = proc_cpu(a.server_pid) if a.server_pid else None
    threads0 = thread_cpu(a.server_pid) if a.server_pid else {}
    relay0 = proc_cpu(a.relay_pid) if a.relay_pid else None
    own0 = proc_cpu(os.getpid())
    idle0, soft0 = machine_cpu()
    t0 = clock() + 0.2
    total = int(round(a.rate * a.duration))
    records = []

    async def arrival(k, v, planned, actual):
        rec = await scan(v, mix, clock)
        pool.give_back(v, clock())
        rec.update({"k": k, "planned": planned - t0, "actual": actual - t0})
        for key in ("posted", "answered", "done"):
            if rec.get(key) is not None:
                rec[key] -= t0
        records.append(rec)

    tasks = []
    dropped = []
    for k in range(total):
        planned = t0 + k / a.rate
        wait = planned - clock()
        if wait > 0:
            await asyncio.sleep(wait)
        actual = clock()
        v = pool.take(actual)
        if v is None:
            dropped.append({"k": k, "planned": planned - t0})
            continue
        tasks.append(asyncio.create_task(arrival(k, v, planned, actual)))
    await asyncio.gather(*tasks)
    t_end = clock()
    cpu1 = proc_cpu(a.server_pid) if a.server_pid else None
    threads1 = thread_cpu(a.server_pid) if a.server_pid else {}
    relay1 = proc_cpu(a.relay_pid) if a.relay_pid else None
    own1 = proc_cpu(os.getpid())
    idle1, soft1 = machine_cpu()
    probes1 = await probes_sent(a.server_ns)

    out["scans"] = sorted(records, key=lambda r: r["k"])
    out["dropped"] = dropped
    out["early_reuse"] = pool.early
    out["window_s"] = t_end - t0
    out["server_cpu_s"] = None if cpu0 is None else cpu1 - cpu0
    out["client_cpu_s"] = own1 - own0
    out["server_threads_s"] = {k: [round(v[0] - threads0.get(k, [0, 0])[0], 2),
                                   round(v[1] - threads0.get(k, [0, 0])[1], 2)]
                               for k, v in threads1.items()}
    out["relay_cpu_s"] = None if relay0 is None else relay1 - relay0
    out["machine_idle_s"] = idle1 - idle0
    out["machine_softirq_s"] = soft1 - soft0
    out["cores"] = os.cpu_count()
    out["probes"] = None if probes0 is None or probes1 is None else probes1 - probes0
    out["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    lone_took = [r["took"] for r in lone if r.get("took")]
    out["lone_median_s"] = statistics.median(lone_took) if lone_took else None
    with open(a.out, "w") as f:
        json.dump(out, f, indent=1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mix", required=True)
    ap.add_argument("--visitors", type=int, required=True)
    ap.add_argument("--rate", type=float, required=True)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--lone", type=int, default=2)
    ap.add_argument("--rest", type=float, default=7)
    ap.add_argument("--server-pid", type=int)
    ap.add_argument("--server-ns")
    ap.add_argument("--relay-pid", type=int)
    ap.add_argument("--out", required=True)
    asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    main()
