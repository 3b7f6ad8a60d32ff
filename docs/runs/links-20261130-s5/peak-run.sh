#!/bin/bash
# Option (i), measured in the quiet window: tbf with and without a peak-rate bucket (peakrate 1.01 x rate, mtu one
# frame), 10 KB on a kept connection over a 20 ms packet line (the bucket's cells) and 1 MB over a veth link (the rate).
cd /work/wt/link-bucket
OUT=docs/runs/links-20261130-s5
P="$OUT/peakrate.sh /tmp/link-bucket-a/tiermark.jar"
one() { name=$1; shift; echo "$(date -u +%T) start $name load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
  $P "$@" > $OUT/$name.txt 2>&1; rc=$?
  echo "$(date -u +%T) end $name exit $rc load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt; }
for peak in none 1.01; do
  one peak-$peak-1mbit-20ms-10kb 1 20 10000 16 $peak
  one peak-$peak-10mbit-20ms-10kb 10 20 10000 16 $peak
  one peak-$peak-50mbit-0ms-1mb 50 0 1000000 8 $peak
  one peak-$peak-200mbit-0ms-1mb 200 0 1000000 8 $peak
done
