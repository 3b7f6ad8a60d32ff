#!/bin/bash
# bge-spam prune experiments (session 5): TAG names the files; /tmp/s5home/models/bge-spam.json's operatorDefaults were edited before each run as README.md says
cd /work/runs/s5-bge-prune
export OMP_WAIT_POLICY=PASSIVE
OUT=/work/runs/s5-bge-prune
TAG=${TAG:-lr2e-5}
T="java -Dai.djl.offline=true -Dtiermark.home=${HOME_DIR:-/tmp/s5home} -cp /tmp/s5jar/tiermark.jar:/tmp/s5jar/lib/* org.tiermark.cli.Tiermark"
step() { name=$1; shift; echo "$(date +%T) start $name load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
  /usr/bin/time -v $T "$@" > $OUT/$name.log 2>&1; rc=$?
  echo "$(date +%T) end $name exit $rc load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt; }
step variants-prune-$TAG variants --model bge-spam --operator prune
step accuracy-prune-$TAG accuracy --model bge-spam --operator prune --set large --out $OUT/accuracy-prune-$TAG
echo "$(date +%T) done" >> $OUT/load.txt
