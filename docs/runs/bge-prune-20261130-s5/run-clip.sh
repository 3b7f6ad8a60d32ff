#!/bin/bash
# bge-spam prune with global-norm gradient clipping (session 5): jar of branch text-prune-clip in /tmp/s5clipjar,
# home /tmp/s5home-clip (bge-spam.json: prune.text-clip-norm 1.0; sparsity 0.9, 1 epoch, lr 5e-5 as the defaults)
cd /work/runs/s5-bge-prune
export OMP_WAIT_POLICY=PASSIVE
OUT=/work/runs/s5-bge-prune
TAG=${TAG:-clip1}
T="java -Dai.djl.offline=true -Dtiermark.home=/tmp/s5home-clip -cp /tmp/s5clipjar/tiermark.jar:/tmp/s5clipjar/lib/* org.tiermark.cli.Tiermark"
step() { name=$1; shift; echo "$(date +%T) start $name load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
  /usr/bin/time -v $T "$@" > $OUT/$name.log 2>&1; rc=$?
  echo "$(date +%T) end $name exit $rc load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt; }
step variants-prune-$TAG variants --model bge-spam --operator prune
step accuracy-prune-$TAG accuracy --model bge-spam --operator prune --set large --out $OUT/accuracy-prune-$TAG
echo "$(date +%T) done" >> $OUT/load.txt
