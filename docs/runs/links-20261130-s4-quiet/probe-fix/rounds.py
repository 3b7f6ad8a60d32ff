#!/usr/bin/env python3
"""Rounds of a traced connection: bursts of data segments from the sender's device (h13a), gaps > GAP_MS apart,
with the advertised window (scaled by 2^WSCALE) of the receiver's ACKs seen before the burst."""
import sys
f, gap = sys.argv[1], float(sys.argv[2])
wscale = int(sys.argv[3]) if len(sys.argv) > 3 else 10
rows = [l.split() for l in open(f)]
# t dev flags seq S ack A win W len L
conn = []
cur = None
lastwin = None
t0 = None
for r in rows:
    t, dev, flags = int(r[0]), r[1], r[2]
    seq, ack, win, ln = int(r[4]), int(r[6]), int(r[8]), int(r[10])
    if dev == "h13a" and "S" in flags:
        cur = dict(t0=t, bursts=[], syn=True); conn.append(cur); lastwin = None; continue
    if cur is None: continue
    if dev == "h13b":
        lastwin = win if "S" in flags else win << wscale
        if ln > 0: cur.setdefault("answer", t)
        continue
    if ln > 0:
        b = cur["bursts"]
        if not b or t - b[-1]["last"] > gap * 1000:
            b.append(dict(first=t, last=t, segs=0, bytes=0, win=lastwin))
        b[-1]["last"] = t; b[-1]["segs"] += 1; b[-1]["bytes"] += ln
for i, c in enumerate(conn):
    print("connection %d: answer at %.1f ms" % (i, (c.get("answer", c["t0"]) - c["t0"]) / 1000))
    for b in c["bursts"]:
        print("   burst at %7.1f-%7.1f ms: %4d segments %8d bytes, receiver's window before it %s" % ((b["first"] - c["t0"]) / 1000,
              (b["last"] - c["t0"]) / 1000, b["segs"], b["bytes"], b["win"]))
