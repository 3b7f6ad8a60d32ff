#!/bin/bash
# Session 5 (issue 13, helper h13): the grid's small cells and the 1 MB rate check, quiet window, no nice, nothing else
# of ours running. The jar and lib copied from this branch's build (commit in README.md) to /tmp/link-bucket-a.
cd /work/wt/link-bucket
OUT=docs/runs/links-20261130-s5
J="java -cp /tmp/link-bucket-a/tiermark.jar org.tiermark.emulation.LinkValidation --congestion-control reno --calibration profiles/links/mobile-edge.json"
run() { name=$1; shift; echo "$(date -u +%T) start $name load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
  $J "$@" --out $OUT/$name.json > $OUT/$name.txt 2>&1; rc=$?
  echo "$(date -u +%T) end $name exit $rc load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt; }
SMALL="--repeats 31 --bandwidths 1,10,50,100,150,200 --payloads 10000,100000"
MB="--repeats 7 --bandwidths 10,50,100,150,200 --payloads 1000000"
MB1="--repeats 5 --bandwidths 1 --payloads 1000000"
for conn in kept new; do
  NC=""; [ $conn = new ] && NC="--new-connection"
  run $conn-small $NC $SMALL
  run pk-$conn-rtt1-small --packet-delay --rtt-ms 1 $NC $SMALL
  run pk-$conn-rtt20-small --packet-delay --rtt-ms 20 $NC $SMALL
done
for conn in kept new; do
  NC=""; [ $conn = new ] && NC="--new-connection"
  run $conn-1mb $NC $MB
  run pk-$conn-rtt1-1mb --packet-delay --rtt-ms 1 $NC $MB
  run pk-$conn-rtt20-1mb --packet-delay --rtt-ms 20 $NC $MB
  run $conn-1mb-1 $NC $MB1
  run pk-$conn-rtt1-1mb-1 --packet-delay --rtt-ms 1 $NC $MB1
  run pk-$conn-rtt20-1mb-1 --packet-delay --rtt-ms 20 $NC $MB1
done
echo "$(date -u +%T) done" >> $OUT/load.txt
