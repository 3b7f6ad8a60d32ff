#!/usr/bin/env python3
"""Where a traced connection's time goes through the packet line: per connection (from the client's SYN to the
answer's data leaving the sink's device), the packets each way and how late the line handed them on (OUT.written:
write time less due time), then the lateness over all packets (median, p90, max, in us)."""
import sys, statistics
f = sys.argv[1]
reads = [l.split() for l in open(f)]
written = [l.split() for l in open(f + ".written")]
late = [int(r[3]) for r in written]
# later traces: "late_us L write_us W" (the wake-up's lateness and the write's own time, apart)
writes = [int(r[5]) for r in written if r[4] == "write_us"]
conns = []
for r in reads:
    t, dev, flags, ln = int(r[0]), r[1], r[2], int(r[10])
    if dev == "h13a" and "S" in flags:
        conns.append(dict(t0=t, pkts={"h13a": 0, "h13b": 0}, answer=None, data_end=None))
    if not conns:
        continue
    c = conns[-1]
    c["pkts"][dev] += 1
    if dev == "h13a" and ln > 0:
        c["data_end"] = t
    if dev == "h13b" and ln > 0 and c["answer"] is None:
        c["answer"] = t
for i, c in enumerate(conns):
    print("connection %2d: data sent by %.3f ms, answer left the sink at %.3f ms; packets %d out, %d back" % (
        i, ((c["data_end"] or c["t0"]) - c["t0"]) / 1000, ((c["answer"] or c["t0"]) - c["t0"]) / 1000, c["pkts"]["h13a"], c["pkts"]["h13b"]))
q = sorted(late)
if writes:
    w = sorted(writes)
    print("write() over %d packets: median %d us, p90 %d, p99 %d, max %d" % (len(w), statistics.median(w), w[int(0.9 * len(w))],
          w[int(0.99 * len(w))], w[-1]))
    tot = sorted(a + b for a, b in zip(late, writes))
    print("late + write: median %d us, p90 %d, p99 %d" % (statistics.median(tot), tot[int(0.9 * len(tot))], tot[int(0.99 * len(tot))]))
print("line lateness over %d packets: median %d us, p90 %d, p99 %d, max %d" % (len(q), statistics.median(q), q[int(0.9 * len(q))],
      q[int(0.99 * len(q))], q[-1]))
