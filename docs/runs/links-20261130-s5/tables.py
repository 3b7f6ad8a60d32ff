#!/usr/bin/env python3
"""The docs/emulation.md tables from this folder's result files: per emulation and connection, Mbit/s x payload,
cells `after% (tbf%)` (kept) or `after%` (new), misses of the 5% target in bold, and the count within 5%.
usage: tables.py DIR [spin-|pass2-]: the grid's files, or those of the tried line fix (spin-), or the second pass (pass2-)"""
import json, os, sys
d = sys.argv[1]
prefix = sys.argv[2] if len(sys.argv) > 2 else ""
PAYLOADS = [(10000, "10 KB"), (100000, "100 KB"), (1000000, "1 MB")]
groups = {}
for f in sorted(os.listdir(d)):
    own = next((p for p in ("spin-", "pass2-") if f.startswith(p)), "")
    if not f.endswith(".json") or f.startswith("peak") or own != prefix:
        continue
    try:
        r = json.load(open(os.path.join(d, f)))
    except Exception:
        continue
    if "cells" not in r:
        continue
    for c in r["cells"]:
        key = (c["rttMs"], c["newConnection"])
        groups.setdefault(key, {})[(c["bandwidthMbps"], c["payloadBytes"])] = (c, f)
names = {0.0: "no added round trip", 1.0: "packet line, 1 ms", 20.0: "packet line, 20 ms"}
for (rtt, new), cells in sorted(groups.items()):
    print("%s, %s connection:\n" % (names.get(rtt, "%s ms" % rtt), "new" if new else "kept"))
    print("| Mbit/s | " + " | ".join(p[1] for p in PAYLOADS) + " |")
    print("| ---: |" + " ---: |" * len(PAYLOADS))
    within = total = 0
    misses = []
    for bw in sorted({k[0] for k in cells}):
        row = []
        for p, label in PAYLOADS:
            if (bw, p) not in cells:
                row.append("not run")
                continue
            c, f = cells[(bw, p)]
            e = c["calibratedErrorPct"]
            total += 1
            ok = abs(e) <= 5
            within += ok
            text = "%+.1f%%" % e
            if not ok:
                text = "**%s**" % text
                misses.append("%s at %g (%+.1f%%)" % (label, bw, e))
            if not new:
                text += " (%+.1f%%)" % c["tbfErrorPct"]
            row.append(text)
        print("| %g | %s |" % (bw, " | ".join(row)))
    print("\n(%d of %d cells within 5%%) misses: %s\n" % (within, total, "; ".join(misses) or "none"))
    print("medians ms: " + ", ".join("%g/%s %.3f" % (k[0], k[1], v[0]["medianNanos"] / 1e6) for k, v in sorted(cells.items())) + "\n")
