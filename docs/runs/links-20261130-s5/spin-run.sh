#!/bin/bash
# Class (b), after the fix: the packet line's writer sleeps until 100 us before a packet is due and spins the rest
# (jar of this branch with the fix, /tmp/link-bucket-c). The traced cell again, then the 1 ms line's small cells and its
# 1 MB rate check with LinkValidation as in run.sh.
cd /work/wt/link-bucket
OUT=docs/runs/links-20261130-s5
J="java -cp /tmp/link-bucket-c/tiermark.jar org.tiermark.emulation.LinkValidation --congestion-control reno --calibration profiles/links/mobile-edge.json"
T="$OUT/trace-line.sh /tmp/link-bucket-c/tiermark.jar"
log() { echo "$(date -u +%T) $1 $2 load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt; }
log start spin-trace-100mbit-1ms-10kb-new
$T 100 1 10000 32 $PWD/$OUT/spin-trace-100mbit-1ms-10kb-new.txt new-connection > $OUT/spin-trace-100mbit-1ms-10kb-new.times 2>&1
log end spin-trace-100mbit-1ms-10kb-new
run() { name=$1; shift; log start $name; $J "$@" --out $OUT/$name.json > $OUT/$name.txt 2>&1; log end "$name exit $?"; }
SMALL="--repeats 31 --bandwidths 1,10,50,100,150,200 --payloads 10000,100000"
run spin-pk-new-rtt1-small --packet-delay --rtt-ms 1 --new-connection $SMALL
run spin-pk-kept-rtt1-small --packet-delay --rtt-ms 1 $SMALL
run spin-pk-new-rtt1-1mb --packet-delay --rtt-ms 1 --new-connection --repeats 7 --bandwidths 10,50,100,150,200 --payloads 1000000
run spin-pk-kept-rtt1-1mb --packet-delay --rtt-ms 1 --repeats 7 --bandwidths 10,50,100,150,200 --payloads 1000000
echo "$(date -u +%T) spin done" >> $OUT/load.txt
