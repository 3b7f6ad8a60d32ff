#!/bin/bash
# A second pass of the small-message tables without and with the 1 ms line (jar a, as run.sh), right after the grid:
# how much these cells move between two quiet passes.
cd /work/wt/link-bucket
OUT=docs/runs/links-20261130-s5
J="java -cp /tmp/link-bucket-a/tiermark.jar org.tiermark.emulation.LinkValidation --congestion-control reno --calibration profiles/links/mobile-edge.json"
run() { name=$1; shift; echo "$(date -u +%T) start $name load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
  $J "$@" --out $OUT/$name.json > $OUT/$name.txt 2>&1; rc=$?
  echo "$(date -u +%T) end $name exit $rc load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt; }
SMALL="--repeats 31 --bandwidths 1,10,50,100,150,200 --payloads 10000,100000"
run pass2-kept-small $SMALL
run pass2-new-small --new-connection $SMALL
run pass2-pk-kept-rtt1-small --packet-delay --rtt-ms 1 $SMALL
run pass2-pk-new-rtt1-small --packet-delay --rtt-ms 1 --new-connection $SMALL
