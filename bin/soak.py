#!/usr/bin/env python3
"""Helper of bin/soak (stdlib only): plans call traffic, produces it through kcat in real
time, watches the Slack emulator, and judges the result as a Slack user would see it.

  plan     --calls N --spread-seconds S --kills K --seed X --out plan.json   (prints the kill offsets)
  produce  --plan plan.json --t0 EPOCH_MS --brokers HOST:PORT [--topic T]
  watch    --emulator URL --out first-seen.tsv          (runs until terminated)
  check    --plan plan.json --emulator URL --kills kills.tsv --first-seen first-seen.tsv
           [--settle-seconds S] [--wrong-out FILE] [--save-dir DIR] [--strict]
                                                         (exit 1 when any call is wrong)

Each call: call.started with two people, two joins, a leave and a rejoin of the same person, a
call.updated title, another leave, call.ended with its duration; spread over [2/3 S, 4/3 S] of wall
time, the calls' starts over the first 2/3 S, all calls interleaved and sent in provider time order.
"""

import argparse
import datetime
import json
import random
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict

SOURCE = "urn:soak:pbx"
TOPIC = "telephony.call-events"
# A Slack call whose calls.add was first seen this close to a SIGKILL may legitimately be repeated
# after the restart (docs/architecture.md, "Duplicate Slack requests after a crash").
KILL_WINDOW_BEFORE_S = 3.0
KILL_WINDOW_AFTER_S = 1.0  # the watcher polls every 0.5 s, so a call can be first seen a little late


def iso(epoch_ms):
    t = datetime.datetime.fromtimestamp(epoch_ms / 1000, tz=datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


# ---------------------------------------------------------------------------------------------- plan

def plan(args):
    rng = random.Random(args.seed)
    spread_ms = args.spread_seconds * 1000
    calls, events = [], []
    for n in range(1, args.calls + 1):
        call_id = f"trial-{args.seed}-{n:04d}"
        a, b, c, d = (f"U{n}{s}" for s in "ABCD")
        start = rng.randint(0, spread_ms * 2 // 3)
        length = rng.randint(spread_ms * 2 // 3, spread_ms * 4 // 3)
        # six events strictly between start and end, in this order
        inner = sorted(rng.sample(range(start + 1, start + length), 6))
        second_leaver = rng.choice([a, b, d])
        title = f"Trial call {n}"
        new_title = f"Trial call {n} (renamed)"
        duration = round(length / 1000)
        steps = [
            (start, "call.started", {
                "join_url": f"https://pbx.example.com/join/{call_id}",
                "title": title,
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
        for seq, (offset, kind, data) in enumerate(steps, start=1):
            if kind == "call.started":
                present |= {p["slack_id"] for p in data["participants"]}
            elif kind == "call.participant.joined":
                present.add(data["participant"]["slack_id"])
            elif kind == "call.participant.left":
                present.discard(data["participant"]["slack_id"])
            events.append({"offset_ms": offset, "subject": call_id, "seq": seq, "type": kind, "data": data})
        calls.append({"id": call_id, "start_ms": start, "end_ms": start + length,
                      "title": new_title, "duration": duration, "users": sorted(present)})
    events.sort(key=lambda e: (e["offset_ms"], e["subject"], e["seq"]))
    total_ms = max(c["end_ms"] for c in calls)
    # one kill in each of K equal slots of [10 %, 90 %] of the traffic, away from the slot's edges
    kills, slot = [], 0.8 * total_ms / max(args.kills, 1)
    for k in range(args.kills):
        lo = 0.1 * total_ms + k * slot
        kills.append(int(rng.uniform(lo + 0.1 * slot, lo + 0.9 * slot)))
    with open(args.out, "w") as f:
        json.dump({"seed": args.seed, "total_ms": total_ms, "calls": calls, "events": events,
                   "kills_ms": kills}, f)
    for k in kills:
        print(k)


# ------------------------------------------------------------------------------------------- produce

def produce(args):
    with open(args.plan) as f:
        p = json.load(f)
    kcat = subprocess.Popen(
        ["kcat", "-P", "-b", args.brokers, "-t", args.topic, "-K", "\\t",
         "-H", "content-type=application/cloudevents+json"],
        stdin=subprocess.PIPE, text=True, bufsize=1)
    events, sent, last_report = p["events"], 0, time.time()
    for e in events:
        due = args.t0 + e["offset_ms"]
        delay = due / 1000 - time.time()
        if delay > 0:
            time.sleep(delay)
        value = {"specversion": "1.0", "id": f"{e['subject']}-{e['seq']}", "source": SOURCE,
                 "type": e["type"], "subject": e["subject"], "time": iso(due), "sequence": e["seq"],
                 "datacontenttype": "application/json", "data": e["data"]}
        kcat.stdin.write(e["subject"] + "\t" + json.dumps(value, separators=(",", ":")) + "\n")
        kcat.stdin.flush()
        sent += 1
        if time.time() - last_report >= 15:
            print(f"  produced {sent}/{len(events)} events", flush=True)
            last_report = time.time()
    kcat.stdin.close()
    rc = kcat.wait()
    print(f"  produced {sent}/{len(events)} events; kcat exited {rc}", flush=True)
    sys.exit(rc)


# --------------------------------------------------------------------------------------------- watch

def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def watch(args):
    """Records when each Slack call id first appears in the emulator (epoch ms)."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    seen = set()
    with open(args.out, "a") as out:
        while not stop:
            try:
                now = int(time.time() * 1000)
                for call in get_json(args.emulator + "calls"):
                    if call["id"] not in seen:
                        seen.add(call["id"])
                        out.write(f"{call['id']}\t{call['external_unique_id']}\t{now}\n")
                out.flush()
            except OSError:
                pass
            time.sleep(0.5)


# --------------------------------------------------------------------------------------------- check

def judge(p, emulator, kills, first_seen):
    """Each planned call against what the emulator shows. Problems fail the trial; repeats inside a
    kill window (a calls.add or a block post answered but not committed when the bridge died) are
    the documented crash window and are only noted."""
    slack_calls = get_json(emulator + "calls")
    messages = get_json(emulator + "messages")
    stats = get_json(emulator + "stats")
    by_euid = defaultdict(list)
    for sc in slack_calls:
        by_euid[sc["external_unique_id"]].append(sc)
    euid_of = {sc["id"]: sc["external_unique_id"] for sc in slack_calls}
    posts = defaultdict(list)  # call -> times (epoch ms, the emulator's ts) of messages showing it
    for m in messages:
        for euid in {euid_of.get(cid) for cid in m["call_ids"]}:
            posts[euid].append(int(float(m["ts"]) * 1000))

    def from_kill(ms, after_ms):
        """Signed distance to the kill whose window holds ms, or None."""
        for k in kills:
            if k - KILL_WINDOW_BEFORE_S * 1000 <= ms <= k + after_ms:
                return ms - k
        return None

    results = []
    for c in p["calls"]:
        found = sorted(by_euid.get(c["id"], []), key=lambda sc: sc["id"])
        problems, repeats = [], []
        times = sorted(posts.get(c["id"], []))
        r = {"id": c["id"], "problems": problems, "repeats": repeats, "blocks": len(times), "leftover_live": 0}
        results.append(r)
        if not found:
            problems.append("missing")
            continue
        # The bridge's own Slack call is the one its block shows; a repeated calls.add leaves the
        # earlier one behind, unknown to the bridge (no block, never ended).
        shown = [sc for sc in found if sc["channels"]]
        mine = shown[-1] if shown else found[-1]
        for other in (sc for sc in found if sc is not mine):
            r["leftover_live"] += 0 if other["ended"] else 1
            seen = first_seen.get(other["id"])
            delta = None if seen is None else from_kill(seen, KILL_WINDOW_AFTER_S * 1000)
            if delta is None:
                problems.append(f"duplicate calls.add ({other['id']}, not near a kill)")
            else:
                repeats.append(f"calls.add repeated: {other['id']} first seen {delta / 1000:+.2f}s from a kill")
        if not mine["ended"]:
            problems.append("not ended")
        elif mine["duration"] != c["duration"]:
            problems.append(f"duration {mine['duration']} != {c['duration']}")
        users = sorted(u.get("slack_id") or u.get("external_id") for u in mine["users"])
        if users != c["users"]:
            problems.append(f"roster {users} != {c['users']}")
        if mine["title"] != c["title"]:
            problems.append(f"title {mine['title']!r} != {c['title']!r}")
        if not times:
            problems.append("no call block")
        for earlier, later in zip(times, times[1:]):
            delta = from_kill(earlier, 0)
            if delta is not None and later > earlier - delta:
                repeats.append(f"call block posted twice: first {delta / 1000:+.2f}s from a kill, "
                               f"again {(later - earlier) / 1000:.1f}s later")
            else:
                problems.append(f"{len(times)} call blocks, not across a kill")
                break
    return results, slack_calls, messages, stats


def check(args):
    with open(args.plan) as f:
        p = json.load(f)
    with open(args.kills) as f:
        kills = [int(line.split()[0]) for line in f if line.strip()]
    first_seen = {}

    def load_first_seen():
        try:
            with open(args.first_seen) as f:
                for line in f:
                    sid, _, ms = line.rstrip("\n").split("\t")
                    first_seen.setdefault(sid, int(ms))
        except FileNotFoundError:
            pass

    # Settled: every call right and Slack quiet for one poll, or Slack quiet for 30 s, or the deadline.
    deadline = time.time() + args.settle_seconds
    previous_stats, quiet_polls, polls = None, 0, 0
    while True:
        polls += 1
        load_first_seen()
        results, slack_calls, messages, stats = judge(p, args.emulator, kills, first_seen)
        wrong = [r for r in results if r["problems"]]
        quiet_polls = quiet_polls + 1 if stats == previous_stats else 0
        previous_stats = stats
        if (not wrong and quiet_polls >= 1) or quiet_polls >= 6 or time.time() >= deadline:
            break
        if polls % 6 == 1:
            print(f"  settling: {len(results) - len(wrong)}/{len(results)} calls right so far", flush=True)
        time.sleep(5)
    if args.save_dir:
        for name, body in (("calls", slack_calls), ("messages", messages), ("stats", stats)):
            with open(f"{args.save_dir}/emulator-{name}.json", "w") as f:
                json.dump(body, f, indent=1)

    def count(pred):
        return sum(1 for r in results if pred(r))

    def has(word):
        return lambda r: any(word in x for x in r["problems"])

    wrong = [r for r in results if r["problems"]]
    add_repeats = sum(1 for r in results for x in r["repeats"] if x.startswith("calls.add"))
    block_repeats = count(lambda r: any(x.startswith("call block") for x in r["repeats"]))
    live = [sc for sc in slack_calls if not sc["ended"]]
    print()
    print(f"Calls sent:            {len(results)}")
    print(f"  ok:                  {count(lambda r: not r['problems'] and not r['repeats'])}")
    print(f"  ok but for a repeat in a kill window: {count(lambda r: not r['problems'] and r['repeats'])}")
    print(f"  wrong roster:        {count(has('roster'))}")
    print(f"  not ended:           {count(has('not ended'))}")
    print(f"  wrong duration:      {count(has('duration'))}")
    print(f"  wrong title:         {count(has('title'))}")
    print(f"  missing in Slack:    {count(has('missing'))}")
    print(f"  double blocks:       {count(lambda r: r['blocks'] > 1)} ({block_repeats} across a kill); "
          f"no block: {count(lambda r: r['blocks'] == 0)}")
    print(f"Duplicate calls.add:   {stats['duplicate_calls_add']} by the emulator's count; {add_repeats} first "
          f"registered within {KILL_WINDOW_BEFORE_S:.0f}s before a kill, {count(has('duplicate calls.add'))} not")
    print(f"Slack calls left live: {len(live)} ({sum(r['leftover_live'] for r in results)} of them the first, "
          f"forgotten copy of a repeated calls.add)")
    print("Slack requests:        " + ", ".join(
        f"{m} {v['requests']}" + (f" ({v['rate_limited']} x 429)" if v["rate_limited"] else "")
        + ("" if not v["errors"] else " errors " + json.dumps(v["errors"], separators=(",", ":")))
        for m, v in sorted(stats["methods"].items())))
    for r in results:
        for x in r["repeats"]:
            print(f"  repeat {r['id']}: {x}")
    for r in wrong[:25]:
        print(f"  WRONG {r['id']}: " + "; ".join(r["problems"]))
    if len(wrong) > 25:
        print(f"  ... and {len(wrong) - 25} more")
    if args.wrong_out:
        with open(args.wrong_out, "w") as f:
            f.writelines(r["id"] + "\n" for r in wrong + [r for r in results if r["repeats"] and not r["problems"]])
    failed = wrong or (args.strict and any(r["repeats"] for r in results))
    sys.exit(1 if failed else 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("plan")
    s.add_argument("--calls", type=int, default=200)
    s.add_argument("--spread-seconds", type=int, default=90)
    s.add_argument("--kills", type=int, default=3)
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--out", required=True)
    s = sub.add_parser("produce")
    s.add_argument("--plan", required=True)
    s.add_argument("--t0", type=int, required=True)
    s.add_argument("--brokers", required=True)
    s.add_argument("--topic", default=TOPIC)
    s = sub.add_parser("watch")
    s.add_argument("--emulator", required=True)
    s.add_argument("--out", required=True)
    s = sub.add_parser("check")
    s.add_argument("--plan", required=True)
    s.add_argument("--emulator", required=True)
    s.add_argument("--kills", required=True)
    s.add_argument("--first-seen", required=True)
    s.add_argument("--settle-seconds", type=int, default=180)
    s.add_argument("--wrong-out", help="write the ids of wrong calls, then of repeated ones, here")
    s.add_argument("--save-dir", help="save the emulator's calls, messages and stats here")
    s.add_argument("--strict", action="store_true", help="fail on repeats inside a kill window too")
    args = ap.parse_args()
    {"plan": plan, "produce": produce, "watch": watch, "check": check}[args.cmd](args)


if __name__ == "__main__":
    main()
