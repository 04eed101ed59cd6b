#!/usr/bin/env python3
"""Helper of bin/soak (stdlib only): plans call traffic, produces it through kcat in real time,
watches the Slack emulator and the bridge's metrics, kills the bridge right after Slack answered,
and judges the result as a Slack user would see it.

  plan      --calls N --spread-seconds S [--call-seconds MIN-MAX] --kills K [--timed-kills SHARE]
            [--workspaces W] [--duplicates P] [--reorder P] --seed X --out plan.json
                                                   (prints one kill per line: offset ms and kind)
  produce   --plan plan.json --t0 EPOCH_MS --brokers HOST:PORT [--topic T]
  monitor   --emulator URL --bridges bridges.tsv --timeline timeline.tsv --uncertain uncertain.json
                                                   (runs until terminated)
  kill-after-answer --emulator URL --pid PID [--timeout-seconds S]
                                                   (prints: killed-at epoch ms, what Slack answered)
  check     --plan plan.json --emulator URL --kills kills.tsv --timeline timeline.tsv
            --uncertain uncertain.json --ready ready.tsv --brokers HOST:PORT
            [--metric-in-jar] [--settle-seconds S] [--faults] [--strict] [--started-at EPOCH_S]
            [--wrong-out FILE] [--save-dir DIR] [--report FILE.md] [--command TEXT]
                                                   (exit 1 when the soak failed)

Each call: call.started with two people, two joins, a leave and a rejoin of the same person, a
call.updated title, another leave, call.ended with its duration. Calls last --call-seconds
(clamped to half of S) and start anywhere in S so that they end within it; each call names one of
W workspaces and its channel. On top of librdkafka's partitioner, a share of events is sent twice
(the copy up to 3 s later) and a share is reordered: sent just after the call's next event, or held
back 1-5 s. Every event keeps its provider `time`; none is sent before it, and none but a duplicate
after its call's call.ended (Slack cannot change an ended call).
"""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter, defaultdict

SOURCE = "urn:soak:pbx"
TOPIC = "telephony.call-events"
# A Slack request answered this close before a SIGKILL may legitimately be repeated after the
# restart: its answer was not committed yet (docs/architecture.md, "Duplicate Slack requests after a
# crash"). The monitor samples Slack's answer counts every 0.1 s, hence the margin after the kill.
KILL_WINDOW_BEFORE_S = 3.0
KILL_WINDOW_AFTER_S = 0.5
METRIC = "bridge_calls_add_uncertain_total"


def iso(epoch_ms):
    t = datetime.datetime.fromtimestamp(epoch_ms / 1000, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def now_ms():
    return int(time.time() * 1000)


def team_of(w):
    return f"T0SOAK{w:03d}"


def channel_of(w):
    return f"C0SOAK{w:03d}"


# ---------------------------------------------------------------------------------------------- plan

def plan(args):
    rng = random.Random(args.seed)
    spread_ms = args.spread_seconds * 1000
    lo_s, hi_s = (int(x) for x in args.call_seconds.split("-"))
    hi_ms = min(hi_s * 1000, spread_ms // 2)
    lo_ms = min(lo_s * 1000, hi_ms)
    calls, events = [], []
    duplicated = delayed = swapped = 0
    for n in range(1, args.calls + 1):
        call_id = f"soak-{args.seed}-{n:05d}"
        w = n % args.workspaces
        a, b, c, d = (f"U{n}{s}" for s in "ABCD")
        length = rng.randint(lo_ms, hi_ms)
        start = rng.randint(0, spread_ms - length)
        # six events strictly between start and end, in this order
        inner = sorted(rng.sample(range(start + 1, start + length), 6))
        second_leaver = rng.choice([a, b, d])
        new_title = f"Soak call {n} (renamed)"
        duration = round(length / 1000)
        steps = [
            (start, "call.started", {
                "join_url": f"https://pbx.example.com/join/{call_id}",
                "title": f"Soak call {n}",
                "team_id": team_of(w),
                "channel": channel_of(w),
                "participants": [{"slack_id": a}, {"slack_id": b}]}),
            (inner[0], "call.participant.joined", {"participant": {"slack_id": c}}),
            (inner[1], "call.participant.joined", {"participant": {"slack_id": d}}),
            (inner[2], "call.participant.left", {"participant": {"slack_id": c}}),
            (inner[3], "call.participant.joined", {"participant": {"slack_id": c}}),
            (inner[4], "call.updated", {"title": new_title}),
            (inner[5], "call.participant.left", {"participant": {"slack_id": second_leaver}}),
            (start + length, "call.ended", {"duration": duration, "disconnect_reason": "hangup"}),
        ]
        present = set()
        mine = []
        for seq, (offset, kind, data) in enumerate(steps, start=1):
            if kind == "call.started":
                present |= {p["slack_id"] for p in data["participants"]}
            elif kind == "call.participant.joined":
                present.add(data["participant"]["slack_id"])
            elif kind == "call.participant.left":
                present.discard(data["participant"]["slack_id"])
            mine.append({"offset_ms": offset, "send_ms": offset, "subject": call_id, "seq": seq,
                         "type": kind, "data": data})
        # Reordering: an event goes out just after the call's next one, or 1-5 s late. Never earlier
        # than its own time, so no event is stamped in the future.
        for i, e in enumerate(mine):
            if rng.random() < args.reorder:
                if i + 1 < len(mine) and rng.random() < 0.5:
                    e["send_ms"] = max(e["send_ms"], mine[i + 1]["send_ms"] + 1)
                    swapped += 1
                else:
                    e["send_ms"] += rng.randint(1000, 5000)
                    delayed += 1
        # Slack cannot change an ended call, so a change arriving after the call's end was sent
        # could not be shown: the end goes out last (late itself when an event before it is late).
        latest = max(e["send_ms"] for e in mine[:-1])
        if mine[-1]["send_ms"] <= latest:
            mine[-1]["send_ms"] = latest + 1
        for e in list(mine):
            if rng.random() < args.duplicates:
                mine.append(dict(e, send_ms=e["send_ms"] + rng.randint(0, 3000)))
                duplicated += 1
        events.extend(mine)
        calls.append({"id": call_id, "team": team_of(w), "start_ms": start, "end_ms": start + length,
                      "title": new_title, "duration": duration, "users": sorted(present)})
    events.sort(key=lambda e: (e["send_ms"], e["subject"], e["seq"]))
    total_ms = max(e["send_ms"] for e in events)
    # one kill in each of K equal slots of [10 %, 90 %] of the traffic, away from the slot's edges;
    # a share of them, drawn at random, waits in its slot for Slack's next answer
    kills, slot = [], 0.8 * total_ms / max(args.kills, 1)
    timed = set(rng.sample(range(args.kills), round(args.kills * args.timed_kills)))
    for k in range(args.kills):
        lo = 0.1 * total_ms + k * slot
        kills.append({"offset_ms": int(rng.uniform(lo + 0.1 * slot, lo + 0.6 * slot)),
                      "kind": "timed" if k in timed else "random"})
    with open(args.out, "w") as f:
        json.dump({"seed": args.seed, "total_ms": total_ms, "spread_seconds": args.spread_seconds,
                   "call_ms": [lo_ms, hi_ms], "workspaces": args.workspaces,
                   "duplicated": duplicated, "reordered": swapped + delayed,
                   "swapped": swapped, "delayed": delayed,
                   "calls": calls, "events": events, "kills": kills}, f)
    for k in kills:
        print(k["offset_ms"], k["kind"])


# ------------------------------------------------------------------------------------------- produce

def produce(args):
    with open(args.plan) as f:
        p = json.load(f)
    kcat = subprocess.Popen(
        ["kcat", "-P", "-b", args.brokers, "-t", args.topic, "-K", "\\t",
         "-H", "content-type=application/cloudevents+json"],
        stdin=subprocess.PIPE, text=True)
    events, sent, last_report = p["events"], 0, time.time()
    while sent < len(events):
        now = now_ms()
        due = args.t0 + events[sent]["send_ms"]
        if due > now:
            time.sleep(min((due - now) / 1000, 0.05))
            continue
        batch = []
        while sent < len(events) and args.t0 + events[sent]["send_ms"] <= now:
            e = events[sent]
            value = {"specversion": "1.0", "id": f"{e['subject']}-{e['seq']}", "source": SOURCE,
                     "type": e["type"], "subject": e["subject"], "time": iso(args.t0 + e["offset_ms"]),
                     "sequence": e["seq"], "datacontenttype": "application/json", "data": e["data"]}
            batch.append(e["subject"] + "\t" + json.dumps(value, separators=(",", ":")) + "\n")
            sent += 1
        kcat.stdin.write("".join(batch))
        kcat.stdin.flush()
        if time.time() - last_report >= 30:
            print(f"  produced {sent}/{len(events)} events", flush=True)
            last_report = time.time()
    kcat.stdin.close()
    rc = kcat.wait()
    print(f"  produced {sent}/{len(events)} events; kcat exited {rc}", flush=True)
    sys.exit(rc)


# ------------------------------------------------------------------------------------ Slack and HTTP

def get_json(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.load(r)


class Emulator:
    """A kept-alive connection to the emulator's inspection API, for polling it often and cheaply."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.host, self.port, self.path = u.hostname, u.port, u.path
        self.conn = None

    def get(self, resource):
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
                self.conn.request("GET", self.path + resource)
                r = self.conn.getresponse()
                return json.loads(r.read())
            except (OSError, http.client.HTTPException, ValueError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise

    def answered(self):
        """Successful calls.add and chat.postMessage answers so far, and all requests."""
        methods = self.get("stats")["methods"]

        def ok(m):
            return methods.get(m, {}).get("ok", 0)
        return ok("calls.add"), ok("chat.postMessage"), sum(v["requests"] for v in methods.values())


# --------------------------------------------------------------------------------------------- monitor

def scrape(port):
    """The sum of the uncertain-calls.add metric's samples on one bridge, None when absent."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
        text = r.read().decode("utf-8", "replace")
    values = [float(m.group(1)) for m in re.finditer(
        r"^" + METRIC + r"(?:\{[^}]*\})?\s+([0-9.eE+-]+)", text, re.M)]
    return sum(values) if values else None


def monitor(args):
    """Samples Slack's answer counts every 0.1 s (when they change) and every bridge's metric every 0.5 s."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    last = {}  # incarnation -> {"pid", "port", "value", "scrapes"}

    def write_uncertain():
        tmp = args.uncertain + ".tmp"
        with open(tmp, "w") as f:
            json.dump(last, f)
        os.replace(tmp, args.uncertain)

    def metrics_loop():
        while not stop.is_set():
            try:
                with open(args.bridges) as f:
                    rows = [line.split() for line in f if line.strip()]
            except FileNotFoundError:
                rows = []
            for inc, pid, port in ((r[0], int(r[1]), int(r[2])) for r in rows):
                entry = last.setdefault(inc, {"pid": pid, "port": port, "value": None, "scrapes": 0})
                try:
                    os.kill(pid, 0)
                except OSError:
                    continue
                try:
                    value = scrape(port)
                except (OSError, http.client.HTTPException):
                    continue
                entry["scrapes"] += 1
                if value is not None:
                    entry["value"] = value
            write_uncertain()
            stop.wait(0.5)

    t = threading.Thread(target=metrics_loop, daemon=True)
    t.start()
    emulator = Emulator(args.emulator)
    previous = None
    with open(args.timeline, "a") as out:
        while not stop.is_set():
            try:
                counts = emulator.answered()
                if counts != previous:
                    out.write(f"{now_ms()}\t{counts[0]}\t{counts[1]}\t{counts[2]}\n")
                    out.flush()
                    previous = counts
            except (OSError, http.client.HTTPException, ValueError):
                pass
            stop.wait(0.1)
    t.join(timeout=3)
    write_uncertain()


def kill_after_answer(args):
    """SIGKILLs the bridge as soon as Slack has answered one more calls.add or chat.postMessage:
    inside the window between Slack's answer and the dispatcher's commit."""
    emulator = Emulator(args.emulator)
    base = emulator.answered()
    deadline = time.time() + args.timeout_seconds
    what = "timeout"
    while time.time() < deadline:
        cur = emulator.answered()
        if cur[0] > base[0]:
            what = "calls.add"
            break
        if cur[1] > base[1]:
            what = "chat.postMessage"
            break
        time.sleep(0.002)
    try:
        os.kill(args.pid, signal.SIGKILL)
    except ProcessLookupError:
        what = "already-exited"
    print(now_ms(), what)


# --------------------------------------------------------------------------------------------- check

def call_seq(slack_id):
    """The emulator numbers calls in creation order (R + base 36)."""
    try:
        return int(slack_id[1:], 36)
    except ValueError:
        return None


class Timeline:
    """When Slack had answered how many calls.add, from the monitor's samples."""

    def __init__(self, path):
        self.rows = []
        try:
            with open(path) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 4:
                        self.rows.append((int(parts[0]), int(parts[1])))
        except FileNotFoundError:
            pass

    def add_answered_by(self, seq):
        """The first sample at which the seq-th successful calls.add had been answered, or None."""
        lo, hi = 0, len(self.rows)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.rows[mid][1] >= seq:
                hi = mid
            else:
                lo = mid + 1
        return self.rows[lo][0] if lo < len(self.rows) else None


def read_kills(path):
    kills = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts:
                kills.append({"at_ms": int(parts[0]), "incarnation": int(parts[1]), "offset_s": int(parts[2]),
                              "kind": parts[3], "after": parts[4] if len(parts) > 4 else "-"})
    return kills


def judge(p, emulator, kills, timeline):
    """Each planned call against what the emulator shows."""
    slack_calls = get_json(emulator + "calls", timeout=120)
    messages = get_json(emulator + "messages", timeout=120)
    stats = get_json(emulator + "stats")
    by_euid = defaultdict(list)
    for sc in slack_calls:
        by_euid[sc["external_unique_id"]].append(sc)
    euid_of = {sc["id"]: sc["external_unique_id"] for sc in slack_calls}
    posts = defaultdict(list)  # call -> times (epoch ms, the emulator's ts) of messages showing it
    for m in messages:
        for euid in {euid_of.get(cid) for cid in m["call_ids"]}:
            posts[euid].append(int(float(m["ts"]) * 1000))

    def near_kill(ms):
        """The kill whose window holds ms (answered up to 3 s before it), or None."""
        if ms is None:
            return None
        for i, k in enumerate(kills):
            if k["at_ms"] - KILL_WINDOW_BEFORE_S * 1000 <= ms <= k["at_ms"] + KILL_WINDOW_AFTER_S * 1000:
                return i
        return None

    results = []
    for c in p["calls"]:
        found = sorted(by_euid.get(c["id"], []), key=lambda sc: call_seq(sc["id"]) or 0)
        times = sorted(posts.get(c["id"], []))
        r = {"id": c["id"], "problems": [], "dup_adds": [], "dup_blocks": None, "blocks": len(times),
             "unposted_live": 0, "posted_live": 0}
        results.append(r)
        if not found:
            r["problems"].append("missing")
            continue
        # The bridge's own Slack call is the one its block shows; a repeated calls.add leaves the
        # earlier one behind, unknown to the bridge (no block, never ended).
        shown = [sc for sc in found if sc["channels"]]
        mine = shown[-1] if shown else found[-1]
        for sc in found:
            if not sc["ended"]:
                if sc["channels"]:
                    r["posted_live"] += 1
                elif sc is not mine:
                    r["unposted_live"] += 1
        for other in (sc for sc in found if sc is not mine):
            answered = timeline.add_answered_by(call_seq(other["id"]) or 0)
            k = near_kill(answered)
            r["dup_adds"].append({"slack_id": other["id"], "answered_ms": answered, "kill": k,
                                  "from_kill_s": None if k is None else round((answered - kills[k]["at_ms"]) / 1000, 2)})
        if not mine["ended"]:
            r["problems"].append("not ended")
        elif mine["duration"] != c["duration"]:
            r["problems"].append(f"duration {mine['duration']} != {c['duration']}")
        users = sorted(u.get("slack_id") or u.get("external_id") for u in mine["users"])
        if users != c["users"]:
            r["problems"].append(f"roster {users} != {c['users']}")
        if mine["title"] != c["title"]:
            r["problems"].append(f"title {mine['title']!r} != {c['title']!r}")
        if r["posted_live"]:
            r["problems"].append("posted call left live")
        if not times:
            r["problems"].append("no call block")
        elif len(times) > 1:
            k = near_kill(times[0])
            r["dup_blocks"] = {"blocks": len(times), "first_ms": times[0], "kill": k,
                               "from_kill_s": None if k is None else round((times[0] - kills[k]["at_ms"]) / 1000, 2)}
            r["problems"].append(f"{len(times)} call blocks")
    return results, slack_calls, messages, stats


def dead_letters(brokers, topic):
    """Dead letters of one topic, counted by their dlt.reason header."""
    try:
        out = subprocess.run(["kcat", "-C", "-b", brokers, "-t", topic, "-o", "beginning", "-e", "-q",
                              "-f", "%h\n"], capture_output=True, text=True, timeout=120).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    reasons = Counter()
    for line in out.splitlines():
        m = re.search(r"(?:^|,)dlt\.reason=([^,]*)", line)
        reasons[m.group(1) if m else "?"] += 1
    return dict(reasons)


def check(args):
    with open(args.plan) as f:
        p = json.load(f)
    kills = read_kills(args.kills)

    # Settled: every call right and Slack quiet for one poll, or Slack quiet for 30 s, or the deadline.
    deadline = time.time() + args.settle_seconds
    settle_started = time.time()
    previous_stats, quiet_polls, polls = None, 0, 0
    while True:
        polls += 1
        results, slack_calls, messages, stats = judge(p, args.emulator, kills, Timeline(args.timeline))
        wrong = [r for r in results if r["problems"]]
        quiet_polls = quiet_polls + 1 if stats == previous_stats else 0
        previous_stats = stats
        if (not wrong and quiet_polls >= 1) or quiet_polls >= 6 or time.time() >= deadline:
            break
        if polls % 6 == 1:
            print(f"  settling: {len(results) - len(wrong)}/{len(results)} calls right so far", flush=True)
        time.sleep(5)
    settled_s = round(time.time() - settle_started)
    if args.save_dir:
        for name, body in (("calls", slack_calls), ("messages", messages), ("stats", stats)):
            with open(f"{args.save_dir}/emulator-{name}.json", "w") as f:
                json.dump(body, f, indent=1)

    def count(pred):
        return sum(1 for r in results if pred(r))

    def has(word):
        return lambda r: any(x.startswith(word) for x in r["problems"])

    # the bridge's metric: last value seen per process, summed
    try:
        with open(args.uncertain) as f:
            per_process = json.load(f)
    except (FileNotFoundError, ValueError):
        per_process = {}
    values = [e["value"] for e in per_process.values() if e.get("value") is not None]
    if values:
        uncertain = round(sum(values))
    elif args.metric_in_jar and any(e.get("scrapes") for e in per_process.values()):
        uncertain = 0  # the counter exists but was never incremented (a tagged counter shows only then)
    else:
        uncertain = None
    ready = []
    try:
        with open(args.ready) as f:
            ready = [float(line.split()[1]) for line in f if line.strip()]
    except FileNotFoundError:
        pass

    dup_adds = [dict(d, call=r["id"]) for r in results for d in r["dup_adds"]]
    dup_adds_in = sum(1 for d in dup_adds if d["kill"] is not None)
    dup_blocks = [dict(r["dup_blocks"], call=r["id"]) for r in results if r["dup_blocks"]]
    live = [sc for sc in slack_calls if not sc["ended"]]
    for i, k in enumerate(kills):
        k["repeated_adds"] = sum(1 for d in dup_adds if d["kill"] == i)
        k["repeated_blocks"] = sum(1 for d in dup_blocks if d["kill"] == i)
    op_dlt = dead_letters(args.brokers, "slack.call-ops.dlt")
    event_dlt = dead_letters(args.brokers, "telephony.call-events.dlt")
    figures = {
        "calls": len(results),
        "events": len(p["events"]),
        "events_duplicated": p["duplicated"],
        "events_reordered": p["reordered"],
        "workspaces": p["workspaces"],
        "spread_seconds": p["spread_seconds"],
        "tiers": args.tiers,
        "faults": args.faults,
        "kills": len(kills),
        "kills_timed": sum(1 for k in kills if k["kind"] == "timed"),
        "kills_after": dict(Counter(k["after"] for k in kills if k["kind"] == "timed")),
        "duplicate_calls_add": len(dup_adds),
        "duplicate_calls_add_in_kill_window": dup_adds_in,
        "duplicate_calls_add_by_emulator": stats["duplicate_calls_add"],
        "uncertain_calls_add_metric": uncertain,
        "duplicate_call_blocks": len(dup_blocks),
        "duplicate_call_blocks_in_kill_window": sum(1 for d in dup_blocks if d["kill"] is not None),
        "calls_not_ended": count(has("not ended")),
        "wrong_rosters": count(has("roster")),
        "posted_calls_left_live": sum(r["posted_live"] for r in results),
        "unposted_calls_left_live": sum(r["unposted_live"] for r in results),
        "slack_calls_left_live": len(live),
        "missing": count(has("missing")),
        "wrong_durations": count(has("duration")),
        "wrong_titles": count(has("title")),
        "no_call_block": count(has("no call block")),
        "calls_right": count(lambda r: not r["problems"] and not r["dup_adds"]),
        # converged: Slack shows the call as its events say, whatever else happened (blocks, copies)
        "calls_converged": count(lambda r: not any(x.startswith(w) for x in r["problems"] for w in (
            "missing", "not ended", "duration", "roster", "title", "no call block"))),
        "dead_letters_ops": op_dlt,
        "dead_letters_events": event_dlt,
        "slack_requests": {m: v["requests"] for m, v in sorted(stats["methods"].items())},
        "slack_429": sum(v["rate_limited"] for v in stats["methods"].values()),
        "slack_5xx": sum(v["server_errors"] for v in stats["methods"].values()),
        "slack_delayed": sum(v["delayed"] for v in stats["methods"].values()),
        "bridge_ready_seconds": {"count": len(ready), "mean": round(sum(ready) / len(ready), 1) if ready else None,
                                 "max": max(ready) if ready else None},
        "settle_seconds": settled_s,
        "run_seconds": round(time.time() - args.started_at) if args.started_at else None,
        "seed": p["seed"],
        "command": args.command,
    }
    failed_reasons = [name for name in ("duplicate_call_blocks", "calls_not_ended", "wrong_rosters",
                                        "posted_calls_left_live", "missing", "wrong_durations", "wrong_titles",
                                        "no_call_block") if figures[name]]
    if args.faults and op_dlt:
        # none of the soak's requests is refused for good: every dead letter here is a retry given up
        failed_reasons.append("dead_letters_ops")
    strict_reasons = []
    if dup_adds_in < len(dup_adds):
        strict_reasons.append("duplicate calls.add outside a kill window")
    if uncertain is not None and len(dup_adds) > uncertain:
        strict_reasons.append("more duplicate calls.add than the metric counted")
    figures["failed"] = failed_reasons + (strict_reasons if args.strict else [])
    figures["strict_findings"] = strict_reasons
    figures["verdict"] = "fail" if figures["failed"] else "pass"
    details = {"kills": kills, "duplicate_calls_add": dup_adds, "duplicate_call_blocks": dup_blocks,
               "wrong": [{"id": r["id"], "problems": r["problems"]} for r in results if r["problems"]][:200]}

    print_summary(figures, details, results)
    if args.wrong_out:
        with open(args.wrong_out, "w") as f:
            f.writelines(r["id"] + "\n" for r in results if r["problems"])
            f.writelines(r["id"] + "\n" for r in results if r["dup_adds"] and not r["problems"])
    if args.report:
        write_report(args.report, figures, details)
    if args.save_dir:
        with open(f"{args.save_dir}/soak-report.json", "w") as f:
            json.dump({"figures": figures, **details}, f, indent=1)
    sys.exit(1 if figures["failed"] else 0)


def metric_text(n):
    return "n/a (the jar has no such metric)" if n is None else str(n)


def print_summary(f, details, results):
    kills_after = ", ".join(f"{v} after {k}" for k, v in sorted(f["kills_after"].items()))
    print()
    print(f"Calls sent:                   {f['calls']} ({f['events']} events, {f['events_duplicated']} duplicated, "
          f"{f['events_reordered']} reordered) over {f['workspaces']} workspaces")
    print(f"SIGKILLs:                     {f['kills']} ({f['kills_timed']} timed: {kills_after or 'none'})")
    print(f"  calls right:                {f['calls_right']} (converged: {f['calls_converged']})")
    print(f"  duplicate calls.add:        {f['duplicate_calls_add']} ({f['duplicate_calls_add_in_kill_window']} in a "
          f"kill window; the emulator counted {f['duplicate_calls_add_by_emulator']})")
    print(f"  uncertain calls.add:        {metric_text(f['uncertain_calls_add_metric'])} (the bridge's {METRIC})")
    print(f"  duplicate call blocks:      {f['duplicate_call_blocks']} ({f['duplicate_call_blocks_in_kill_window']} "
          f"in a kill window)")
    print(f"  calls not ended:            {f['calls_not_ended']}")
    print(f"  wrong rosters:              {f['wrong_rosters']}")
    print(f"  posted calls left live:     {f['posted_calls_left_live']}")
    print(f"  unposted copies left live:  {f['unposted_calls_left_live']} (the first of a repeated calls.add)")
    print(f"  missing / wrong duration / wrong title / no block: {f['missing']} / {f['wrong_durations']} / "
          f"{f['wrong_titles']} / {f['no_call_block']}")
    print(f"Dead letters:                 operations {f['dead_letters_ops']}, events {f['dead_letters_events']}")
    print("Slack requests:               " + ", ".join(f"{m} {n}" for m, n in f["slack_requests"].items())
          + f"; {f['slack_429']} x 429, {f['slack_5xx']} x 5xx, {f['slack_delayed']} held back")
    r = f["bridge_ready_seconds"]
    print(f"Bridge ready after start:     mean {r['mean']} s, max {r['max']} s over {r['count']} starts; "
          f"settled {f['settle_seconds']} s after the last event")
    for i, k in enumerate(details["kills"]):
        print(f"  kill {i + 1:2d} at +{k['offset_s']}s ({k['kind']}, {k['after']}): "
              f"{k['repeated_adds']} calls.add and {k['repeated_blocks']} call blocks repeated")
    for d in details["duplicate_calls_add"][:50]:
        where = (f"answered {d['from_kill_s']:+.2f}s from kill {d['kill'] + 1}" if d["kill"] is not None
                 else "NOT in a kill window")
        print(f"  duplicate calls.add {d['call']}: first copy {d['slack_id']} {where}")
    for d in details["duplicate_call_blocks"][:50]:
        where = (f"first posted {d['from_kill_s']:+.2f}s from kill {d['kill'] + 1}" if d["kill"] is not None
                 else "not in a kill window")
        print(f"  duplicate call block {d['call']}: {d['blocks']} blocks, {where}")
    wrong = [r for r in results if r["problems"]]
    for r in wrong[:25]:
        print(f"  WRONG {r['id']}: " + "; ".join(r["problems"]))
    if len(wrong) > 25:
        print(f"  ... and {len(wrong) - 25} more")
    if f["faults"]:
        print("  (with --faults a request answered after the bridge's timeout is repeated too: repeats outside a kill "
              "window are expected, and answer times of held answers are approximate)")
    if f["strict_findings"]:
        print("Noted (fails with --strict): " + "; ".join(f["strict_findings"]))
    print(f"Verdict: {f['verdict']}" + (f" ({', '.join(f['failed'])})" if f["failed"] else ""))


def write_report(path, f, details):
    """Markdown rows for docs/benchmark.md and the same figures as JSON beside them."""
    json_path = (path[:-3] if path.endswith(".md") else path) + ".json"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(json_path, "w") as out:
        json.dump({"figures": f, **details}, out, indent=1)
    uncertain = "n/a" if f["uncertain_calls_add_metric"] is None else str(f["uncertain_calls_add_metric"])
    kills = f"{f['kills']} ({f['kills_timed']} timed)"
    mins = "?" if f["run_seconds"] is None else f"{f['run_seconds'] / 60:.1f} min"
    ok = not f["failed"]
    counted = f["uncertain_calls_add_metric"] is not None and f["duplicate_calls_add"] <= f["uncertain_calls_add_metric"]
    in_windows = f["duplicate_calls_add_in_kill_window"] == f["duplicate_calls_add"]
    measured = (f"{f['calls']:,} calls, {f['kills']} `kill -9` ({f['kills_timed']} right after Slack answered); "
                f"{f['duplicate_call_blocks']} call blocks posted twice, {f['calls_not_ended']} not ended, "
                f"{f['posted_calls_left_live']} posted calls left live, {f['wrong_rosters']} wrong rosters; "
                f"{f['duplicate_calls_add']} duplicate `calls.add` ({f['duplicate_calls_add_in_kill_window']} in a kill "
                f"window), {uncertain} counted by `{METRIC}`")
    lines = ["<!-- " + (f["command"] or "bin/soak") + " -->", ""]
    if f["faults"]:
        dl = f["dead_letters_ops"] or {}
        measured_faults = (f"{f['calls']:,} calls, {f['slack_429']} × 429, {f['slack_5xx']} × 5xx, "
                           f"{f['slack_delayed']} answers held past the timeout; "
                           f"{f['calls_converged']} of {f['calls']} converged; dead letters: "
                           + (", ".join(f"{n} `{r}`" for r, n in dl.items()) or "none"))
        lines += ["| target | measured | met |", "|---|---|---|",
                  f"| 10 % 429, 5 % 5xx, 2 % timeouts injected: every call converges; dead letters only for terminal "
                  f"errors | {measured_faults} | {'yes' if f['calls_converged'] == f['calls'] and not dl else 'no'} |",
                  ""]
    lines += ["| target | measured | met |", "|---|---|---|",
              f"| 20 `kill -9` during a 10,000-call run: every call converges; 0 call blocks posted twice, 0 calls "
              f"left live, 0 wrong rosters; a duplicate `calls.add` only inside a kill, each counted | {measured} | "
              f"{'yes' if ok and in_windows and counted and f['kills'] >= 20 and f['calls'] >= 10000 else 'no'} |", ""]
    lines += ["| `bin/soak` | calls | kills | duplicate `calls.add` (in a kill window) | counted by the metric | "
              "duplicate call blocks | not ended | wrong rosters | posted calls left live | took |",
              "|---|---|---|---|---|---|---|---|---|---|",
              f"| {'--faults, ' if f['faults'] else ''}--tiers {f['tiers']}, {f['workspaces']} workspaces | "
              f"{f['calls']:,} | {kills} | {f['duplicate_calls_add']} ({f['duplicate_calls_add_in_kill_window']}) | "
              f"{uncertain} | {f['duplicate_call_blocks']} | {f['calls_not_ended']} | {f['wrong_rosters']} | "
              f"{f['posted_calls_left_live']} | {mins} |"]
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("plan")
    s.add_argument("--calls", type=int, default=300)
    s.add_argument("--spread-seconds", type=int, default=60)
    s.add_argument("--call-seconds", default="20-120")
    s.add_argument("--kills", type=int, default=3)
    s.add_argument("--timed-kills", type=float, default=0.5)
    s.add_argument("--workspaces", type=int, default=20)
    s.add_argument("--duplicates", type=float, default=0.05)
    s.add_argument("--reorder", type=float, default=0.1)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--out", required=True)
    s = sub.add_parser("produce")
    s.add_argument("--plan", required=True)
    s.add_argument("--t0", type=int, required=True)
    s.add_argument("--brokers", required=True)
    s.add_argument("--topic", default=TOPIC)
    s = sub.add_parser("monitor")
    s.add_argument("--emulator", required=True)
    s.add_argument("--bridges", required=True, help="lines of: incarnation pid http-port")
    s.add_argument("--timeline", required=True)
    s.add_argument("--uncertain", required=True)
    s = sub.add_parser("kill-after-answer")
    s.add_argument("--emulator", required=True)
    s.add_argument("--pid", type=int, required=True)
    s.add_argument("--timeout-seconds", type=float, default=30)
    s = sub.add_parser("check")
    s.add_argument("--plan", required=True)
    s.add_argument("--emulator", required=True)
    s.add_argument("--kills", required=True)
    s.add_argument("--timeline", required=True)
    s.add_argument("--uncertain", required=True)
    s.add_argument("--ready", required=True)
    s.add_argument("--brokers", required=True)
    s.add_argument("--tiers", default="unlimited")
    s.add_argument("--metric-in-jar", action="store_true")
    s.add_argument("--faults", action="store_true")
    s.add_argument("--settle-seconds", type=int, default=300)
    s.add_argument("--started-at", type=int)
    s.add_argument("--command")
    s.add_argument("--wrong-out", help="write the ids of wrong calls, then of those with a repeated calls.add")
    s.add_argument("--save-dir", help="save the emulator's calls, messages and stats and soak-report.json here")
    s.add_argument("--report", help="markdown rows here, the figures as JSON beside it")
    s.add_argument("--strict", action="store_true",
                   help="also fail on a duplicate calls.add outside a kill window or beyond the metric's count")
    args = ap.parse_args()
    {"plan": plan, "produce": produce, "monitor": monitor, "kill-after-answer": kill_after_answer,
     "check": check}[args.cmd](args)


if __name__ == "__main__":
    main()
