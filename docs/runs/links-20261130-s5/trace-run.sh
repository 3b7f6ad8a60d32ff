#!/bin/bash
# Class (b), diagnosed in the quiet window: small messages on new connections through the 1 ms packet line, traced
# (reads and hand-offs of every packet), jar of this branch with the .written trace (/tmp/link-bucket-b).
cd /work/wt/link-bucket
OUT=docs/runs/links-20261130-s5
T="$OUT/trace-line.sh /tmp/link-bucket-b/tiermark.jar"
one() { name=$1; shift; echo "$(date -u +%T) start $name load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
  $T "$@" > $OUT/$name.times 2>&1; rc=$?
  echo "$(date -u +%T) end $name exit $rc load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt; }
one trace-100mbit-1ms-10kb-new 100 1 10000 32 $PWD/$OUT/trace-100mbit-1ms-10kb-new.txt new-connection
one trace-200mbit-1ms-100kb-new 200 1 100000 32 $PWD/$OUT/trace-200mbit-1ms-100kb-new.txt new-connection
one trace-100mbit-1ms-10kb-kept 100 1 10000 32 $PWD/$OUT/trace-100mbit-1ms-10kb-kept.txt
