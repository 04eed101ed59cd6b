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
  await-work --port P --out FILE [--timeout-seconds S]
                                                   (writes when the bridge on port P first applied an
                                                    event and first sent a Slack request, epoch ms)
  rolls     --plan plan.json --t0 EPOCH_MS --rolls-file rolls.tsv --requests requests.jsonl
            --calls emulator-calls.json --work-dir DIR [--report FILE.md] ...
                                                   (what the rolling restarts cost; exit 1 if a stop
                                                    needed SIGKILL or a restarted bridge never worked)
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
        return metric_sum(r.read().decode("utf-8", "replace"), METRIC)


def metric_sum(text, name):
    """The sum of one metric's samples in Prometheus text, None when it has none."""
    values = [float(m.group(1)) for m in re.finditer(r"^" + name + r"(?:\{[^}]*\})?\s+([0-9.eE+-]+)", text, re.M)]
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


def await_work(args):
    """Polls one bridge's /metrics every 0.1 s until it has applied an event and sent a Slack request."""
    first_event = first_request = None
    deadline = time.time() + args.timeout_seconds
    while time.time() < deadline and (first_event is None or first_request is None):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{args.port}/metrics", timeout=2) as r:
                text = r.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            time.sleep(0.1)
            continue
        if first_event is None and (metric_sum(text, "bridge_events_total") or 0) > 0:
            first_event = now_ms()
        if first_request is None and (metric_sum(text, "bridge_slack_requests_total") or 0) > 0:
            first_request = now_ms()
        time.sleep(0.1)
    with open(args.out, "w") as f:
        f.write(f"{first_event or '-'}\t{first_request or '-'}\n")


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

# --------------------------------------------------------------------------------------------- rolls

def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def spread(values):
    """p50, p99 and max of a list of milliseconds, in seconds."""
    if not values:
        return {"count": 0, "p50": None, "p99": None, "max": None}
    return {"count": len(values), "p50": round(percentile(values, 0.50) / 1000, 2),
            "p99": round(percentile(values, 0.99) / 1000, 2), "max": round(max(values) / 1000, 2),
            "over_2s": sum(1 for v in values if v > 2000)}


LOG_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})([+-]\d\d:\d\d|Z)")


def log_times(path, needle):
    """Epoch ms of the bridge log's lines that contain needle."""
    found = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if needle in line:
                    m = LOG_TIME.match(line)
                    if m:
                        zone = "+00:00" if m.group(2) == "Z" else m.group(2)
                        found.append(int(datetime.datetime.fromisoformat(m.group(1) + zone).timestamp() * 1000))
    except FileNotFoundError:
        pass
    return found


def rolls(args):
    """What rolling restarts cost, from the roll log, the emulator's request log and the bridges' logs."""
    with open(args.plan) as f:
        p = json.load(f)
    restarts = []
    with open(args.rolls_file) as f:
        for line in f:
            c = line.split()
            if len(c) >= 10:
                restarts.append({"round": int(c[0]), "instance": int(c[1]), "old": int(c[2]), "new": int(c[3]),
                                 "term_ms": int(c[4]), "exit_ms": int(c[5]), "exit_code": int(c[6]),
                                 "forced": c[7] == "1", "start_ms": int(c[8]), "ready_ms": int(c[9]),
                                 "live_ms": int(c[10]) if len(c) > 10 else int(c[9])})
    for r in restarts:
        try:
            with open(f"{args.work_dir}/work-{r['new']}.txt") as f:
                event, request = f.read().split()
        except (FileNotFoundError, ValueError):
            event = request = "-"
        r["first_event_ms"] = None if event == "-" else int(event)
        r["first_request_ms"] = None if request == "-" else int(request)
        r["stop_s"] = (r["exit_ms"] - r["term_ms"]) / 1000
        log_path = f"{args.work_dir}/bridge-{r['new']}.log"
        assigned = log_times(log_path, "Dispatcher assigned")
        running = log_times(log_path, "State transition from REBALANCING to RUNNING")
        r["start_to_dispatching_s"] = (assigned[0] - r["start_ms"]) / 1000 if assigned else None
        r["start_to_streams_running_s"] = (running[0] - r["start_ms"]) / 1000 if running else None
        r["start_to_live_s"] = (r["live_ms"] - r["start_ms"]) / 1000
        r["start_to_ready_s"] = (r["ready_ms"] - r["start_ms"]) / 1000
        r["down_s"] = (r["ready_ms"] - r["term_ms"]) / 1000
        r["ready_to_event_s"] = None if r["first_event_ms"] is None else (r["first_event_ms"] - r["ready_ms"]) / 1000
        r["ready_to_request_s"] = None if r["first_request_ms"] is None else (r["first_request_ms"] - r["ready_ms"]) / 1000

    # The windows in which a group was being rolled: first SIGTERM to the last restarted process's first
    # Slack request (or its readiness, if it sent none).
    windows = []
    for rnd in sorted({r["round"] for r in restarts}):
        mine = [r for r in restarts if r["round"] == rnd]
        end = max(max(r["ready_ms"], r["first_request_ms"] or 0) for r in mine)
        windows.append((min(r["term_ms"] for r in mine), end))

    def in_roll(ms):
        return any(a <= ms <= b for a, b in windows)

    # Rebalances the other processes went through while one restarted (from its SIGTERM to 10 s after it
    # was ready, or the next SIGTERM): Kafka Streams leaving RUNNING, the dispatcher given partitions again.
    incarnations = set()
    with open(f"{args.work_dir}/bridges.tsv") as f:
        for line in f:
            c = line.split()
            if c:
                incarnations.add(int(c[0]))
    streams_transitions = {inc: log_times(f"{args.work_dir}/bridge-{inc}.log",
                                          "State transition from RUNNING to REBALANCING") for inc in incarnations}
    assignments = {inc: log_times(f"{args.work_dir}/bridge-{inc}.log", "Dispatcher assigned") for inc in incarnations}
    terms = sorted(r["term_ms"] for r in restarts)
    streams_rebalances = dispatcher_assignments = late_rebalances = 0
    for r in restarts:
        later = [t for t in terms if t > r["term_ms"]]
        a, b = r["term_ms"], min(r["ready_ms"] + 10_000, later[0] if later else r["ready_ms"] + 10_000)
        for inc in incarnations - {r["old"], r["new"]}:
            streams_rebalances += sum(1 for t in streams_transitions[inc] if a <= t <= b)
            dispatcher_assignments += sum(1 for t in assignments[inc] if a <= t <= b)
        # The restarted process itself, after it was first ready.
        late_rebalances += sum(1 for t in streams_transitions[r["new"]] if r["ready_ms"] < t <= b)

    # Event to Slack: call.started to the first calls.add, call.ended to the first calls.end.
    with open(args.calls) as f:
        slack_calls = json.load(f)
    euid_of = {sc["id"]: sc["external_unique_id"] for sc in slack_calls}
    team_of_call = {c["id"]: c["team"] for c in p["calls"]}
    first_add, first_end, requests = {}, {}, []
    with open(args.requests) as f:
        for line in f:
            try:
                q = json.loads(line)
            except ValueError:
                continue
            at, method = q["at"], q["method"]
            euid = q.get("external_unique_id") if method == "calls.add" else euid_of.get(q.get("id"))
            team = team_of_call.get(euid)
            if team is None and q.get("channel", "").startswith("C0SOAK"):
                team = "T0SOAK" + q["channel"][6:]
            requests.append((at, team))
            if method == "calls.add" and euid and euid not in first_add:
                first_add[euid] = at
            elif method == "calls.end" and euid and euid not in first_end:
                first_end[euid] = at
    sent = {}
    for e in p["events"]:
        if e["type"] in ("call.started", "call.ended"):
            key = (e["subject"], e["type"])
            sent[key] = min(sent.get(key, e["send_ms"]), e["send_ms"])
    latency = {"during": {"calls.add": [], "calls.end": []}, "outside": {"calls.add": [], "calls.end": []}}
    for (call, kind), send_ms in sent.items():
        at = args.t0 + send_ms
        done = (first_add if kind == "call.started" else first_end).get(call)
        if done is not None:
            latency["during" if in_roll(at) else "outside"]["calls.add" if kind == "call.started" else "calls.end"] \
                .append(done - at)

    # The longest time without a Slack request, overall and in one workspace, by where the gap began.
    requests.sort()
    traffic_end = args.t0 + p["total_ms"]

    def longest_gaps(times):
        best = {"during": 0, "outside": 0}
        for x, y in zip(times, times[1:]):
            if x > traffic_end:
                break
            where = "during" if in_roll(x) or any(x < a < y for a, _ in windows) else "outside"
            best[where] = max(best[where], y - x)
        return best

    overall = longest_gaps([at for at, _ in requests if at >= args.t0])
    by_team = defaultdict(list)
    for at, team in requests:
        if team and at >= args.t0:
            by_team[team].append(at)
    per_team = {"during": 0, "outside": 0}
    for times in by_team.values():
        g = longest_gaps(times)
        per_team = {k: max(per_team[k], g[k]) for k in per_team}

    def stat(values):
        return {"mean": round(sum(values) / len(values), 1), "max": round(max(values), 1)} if values else None

    figures = {
        "instances": args.instances,
        "rolls": len(windows),
        "restarts": len(restarts),
        "grace_seconds": args.grace_seconds,
        "min_ready_seconds": args.min_ready_seconds,
        "sigterm_to_exit_s": stat([r["stop_s"] for r in restarts]),
        "stops_forced": sum(1 for r in restarts if r["forced"]),
        "exit_codes": dict(Counter(str(r["exit_code"]) for r in restarts)),
        "start_to_live_s": stat([r["start_to_live_s"] for r in restarts]),
        "start_to_dispatcher_assigned_s": stat([r["start_to_dispatching_s"] for r in restarts
                                                if r["start_to_dispatching_s"] is not None]),
        "start_to_streams_running_s": stat([r["start_to_streams_running_s"] for r in restarts
                                            if r["start_to_streams_running_s"] is not None]),
        "start_to_ready_s": stat([r["start_to_ready_s"] for r in restarts]),
        "sigterm_to_ready_s": stat([r["down_s"] for r in restarts]),
        "ready_to_first_event_s": stat([r["ready_to_event_s"] for r in restarts if r["ready_to_event_s"] is not None]),
        "ready_to_first_request_s": stat([r["ready_to_request_s"] for r in restarts
                                          if r["ready_to_request_s"] is not None]),
        "never_worked": sum(1 for r in restarts if r["first_request_ms"] is None),
        "roll_seconds": [round((b - a) / 1000, 1) for a, b in windows],
        "streams_rebalances_elsewhere": streams_rebalances,
        "dispatcher_assignments_elsewhere": dispatcher_assignments,
        "rebalances_after_ready": late_rebalances,
        "latency": {w: {m: spread(v) for m, v in by.items()} for w, by in latency.items()},
        "longest_gap_s": {"overall": {k: round(v / 1000, 1) for k, v in overall.items()},
                          "one_workspace": {k: round(v / 1000, 1) for k, v in per_team.items()}},
        "command": args.command,
    }
    with open(f"{args.work_dir}/rolls.json", "w") as f:
        json.dump({"figures": figures, "restarts": restarts}, f, indent=1)
    print_rolls(figures, restarts)
    if args.report:
        write_rolls_report(args.report, figures)
    sys.exit(1 if figures["stops_forced"] or figures["never_worked"] else 0)


def print_rolls(f, restarts):
    def st(x):
        return "n/a" if x is None else f"mean {x['mean']} s, max {x['max']} s"

    def lat(x):
        return "none" if not x["count"] else (f"p50 {x['p50']} s, p99 {x['p99']} s, max {x['max']} s, "
                                               f"{x['over_2s']} of {x['count']} over 2 s")
    print()
    print(f"Rolling restarts:             {f['rolls']} rolls of {f['instances']} instances, {f['restarts']} SIGTERMs "
          f"(grace {f['grace_seconds']} s, next one {f['min_ready_seconds']} s after ready); rolls took "
          + ", ".join(f"{s} s" for s in f["roll_seconds"]))
    print(f"  SIGTERM to exit:            {st(f['sigterm_to_exit_s'])}; exit codes {f['exit_codes']}, "
          f"{f['stops_forced']} SIGKILLed after the grace period")
    print(f"  start to /healthz 200:      {st(f['start_to_live_s'])}")
    print(f"  start to dispatcher assigned: {st(f['start_to_dispatcher_assigned_s'])}; to Kafka Streams RUNNING: "
          f"{st(f['start_to_streams_running_s'])}")
    print(f"  start to ready:             {st(f['start_to_ready_s'])} (SIGTERM to ready again: {st(f['sigterm_to_ready_s'])})")
    print(f"  ready to first event:       {st(f['ready_to_first_event_s'])}")
    print(f"  ready to first Slack request: {st(f['ready_to_first_request_s'])}; {f['never_worked']} sent none")
    print(f"  rebalances meanwhile:       {f['streams_rebalances_elsewhere']} of Kafka Streams and "
          f"{f['dispatcher_assignments_elsewhere']} dispatcher assignments in the other processes while one "
          f"restarted; {f['rebalances_after_ready']} of Kafka Streams in a restarted process after it was ready")
    for w in ("during", "outside"):
        print(f"  {w + ' the rolls:':27s} call.started to calls.add {lat(f['latency'][w]['calls.add'])}; "
              f"call.ended to calls.end {lat(f['latency'][w]['calls.end'])}")
    g = f["longest_gap_s"]
    print(f"  longest time without a Slack request: {g['overall']['during']} s during the rolls, "
          f"{g['overall']['outside']} s outside; in one workspace {g['one_workspace']['during']} s during, "
          f"{g['one_workspace']['outside']} s outside")
    for r in restarts:
        print(f"  roll {r['round'] + 1} instance {r['instance']}: exit {r['stop_s']:.1f} s after SIGTERM (code "
              f"{r['exit_code']}), ready {r['start_to_ready_s']:.1f} s after start, first event "
              f"{'-' if r['ready_to_event_s'] is None else format(r['ready_to_event_s'], '.1f') + ' s'} and first "
              f"request {'-' if r['ready_to_request_s'] is None else format(r['ready_to_request_s'], '.1f') + ' s'} "
              f"after ready")


def write_rolls_report(path, f):
    """Appends the rolls' row to the report's markdown and their figures to its JSON."""
    json_path = (path[:-3] if path.endswith(".md") else path) + ".json"
    try:
        with open(json_path) as fh:
            doc = json.load(fh)
    except (FileNotFoundError, ValueError):
        doc = {}
    doc["rolls"] = f
    with open(json_path, "w") as out:
        json.dump(doc, out, indent=1)

    def st(x):
        return "—" if x is None else f"{x['mean']} / {x['max']} s"

    def lat(x):
        return "—" if not x["count"] else f"{x['p99']} / {x['max']} s"
    g = f["longest_gap_s"]
    lines = ["", "| rolls × instances | SIGTERM → exit (mean / max) | start → dispatcher assigned | start → ready | "
             "ready → first Slack request | "
             "rebalances elsewhere (Streams / dispatcher) | calls.add after call.started p99 / max: rolls, rest | "
             "calls.end after call.ended p99 / max: rolls, rest | longest gap, one workspace: rolls, rest |",
             "|---|---|---|---|---|---|---|---|---|",
             f"| {f['rolls']} × {f['instances']} | {st(f['sigterm_to_exit_s'])} | "
             f"{st(f['start_to_dispatcher_assigned_s'])} | {st(f['start_to_ready_s'])} | "
             f"{st(f['ready_to_first_request_s'])} | {f['streams_rebalances_elsewhere']} / "
             f"{f['dispatcher_assignments_elsewhere']} | {lat(f['latency']['during']['calls.add'])}, "
             f"{lat(f['latency']['outside']['calls.add'])} | {lat(f['latency']['during']['calls.end'])}, "
             f"{lat(f['latency']['outside']['calls.end'])} | {g['one_workspace']['during']} s, "
             f"{g['one_workspace']['outside']} s |"]
    with open(path, "a") as out:
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
    s = sub.add_parser("await-work")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--timeout-seconds", type=float, default=120)
    s = sub.add_parser("rolls")
    s.add_argument("--plan", required=True)
    s.add_argument("--t0", type=int, required=True)
    s.add_argument("--rolls-file", required=True)
    s.add_argument("--requests", required=True)
    s.add_argument("--calls", required=True, help="the emulator's calls, as check saved them")
    s.add_argument("--work-dir", required=True, help="where bridges.tsv, work-N.txt and bridge-N.log lie")
    s.add_argument("--instances", type=int, default=3)
    s.add_argument("--grace-seconds", type=int, default=90)
    s.add_argument("--min-ready-seconds", type=int, default=0)
    s.add_argument("--command")
    s.add_argument("--report")
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
     "await-work": await_work, "rolls": rolls, "check": check}[args.cmd](args)


if __name__ == "__main__":
    main()
