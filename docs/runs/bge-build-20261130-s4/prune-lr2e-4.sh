#!/bin/bash
cd /work/main
export OMP_WAIT_POLICY=PASSIVE
OUT=/work/main/docs/runs/bge-build-20261130-s4
T="java -Dai.djl.offline=true -Dtiermark.home=/tmp/s4home -cp /tmp/s4jar/tiermark.jar:/tmp/s4jar/lib/* org.tiermark.cli.Tiermark"
step() { name=$1; shift; echo "$(date +%T) start $name load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
  /usr/bin/time -v $T "$@" > $OUT/$name.log 2>&1; rc=$?
  echo "$(date +%T) end $name exit $rc load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt; }
step variants-prune-lr2e-4 variants --model bge-spam --operator prune 
step accuracy-prune-lr2e-4 accuracy --model bge-spam --operator prune --set large --out $OUT/accuracy-prune-lr2e-4
echo "$(date +%T) done" >> $OUT/load.txt
