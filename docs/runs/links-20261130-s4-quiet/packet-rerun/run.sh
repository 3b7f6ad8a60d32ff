#!/bin/bash
# Session 4: the packet-line cells of the grid again on a quiet machine with the fixed probe (main 7fe3c50 jar).
cd /work/main
OUT=docs/runs/links-20261130-s4-quiet/packet-rerun
J="java -cp /tmp/s4jar2/tiermark.jar org.tiermark.emulation.LinkValidation --congestion-control reno --calibration profiles/links/mobile-edge.json"
run() { name=$1; shift; echo "$(date +%T) start $name load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
  $J "$@" --out $OUT/$name.json > $OUT/$name.txt 2>&1; rc=$?
  echo "$(date +%T) end $name exit $rc load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt; }
PBIG="--repeats 7 --bandwidths 10,50,100,150,200 --payloads 10000,100000,1000000,10000000"
PONE="--repeats 5 --bandwidths 1 --payloads 10000,100000,1000000"
R20="--repeats 7 --bandwidths 1,10,100,200 --payloads 10000,100000,1000000"
PS="--repeats 31 --payloads 10000,100000"
run pk-new-rtt20 --packet-delay --rtt-ms 20 --new-connection $R20
run pk-kept-rtt20 --packet-delay --rtt-ms 20 $R20
run pk-new-rtt1-10-200 --packet-delay --rtt-ms 1 --new-connection $PBIG
run pk-kept-rtt1-10-200 --packet-delay --rtt-ms 1 $PBIG
run pk-new-rtt1-1 --packet-delay --rtt-ms 1 --new-connection $PONE
run pk-kept-rtt1-1 --packet-delay --rtt-ms 1 $PONE
run pk-new-rtt20-small --packet-delay --rtt-ms 20 --new-connection $PS --bandwidths 1,10,100,200
run pk-kept-rtt20-small --packet-delay --rtt-ms 20 $PS --bandwidths 1,10,100,200
run pk-new-rtt1-small --packet-delay --rtt-ms 1 --new-connection $PS --bandwidths 1,10,50,100,150,200
run pk-kept-rtt1-small --packet-delay --rtt-ms 1 $PS --bandwidths 1,10,50,100,150,200
echo "$(date +%T) done" >> $OUT/load.txt
