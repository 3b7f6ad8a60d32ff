#!/bin/bash
# Session 4: bge-spam's white-box variants built one at a time (main 37275fe jar), then scored on the large set.
cd /work/main
export OMP_WAIT_POLICY=PASSIVE
OUT=docs/runs/bge-build-20261130-s4
until grep -q "done$" docs/runs/links-20261130-s4-quiet/load.txt; do sleep 15; done
T="java -Dai.djl.offline=true -Dtiermark.home=/work/main -cp /tmp/s4jar/tiermark.jar:/tmp/s4jar/lib/* org.tiermark.cli.Tiermark"
step() { name=$1; shift; echo "$(date +%T) start $name load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
  /usr/bin/time -v $T "$@" > $OUT/$name.log 2>&1; rc=$?
  echo "$(date +%T) end $name exit $rc load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt; }
step variants-qat variants --model bge-spam --operator qat
step variants-sptq variants --model bge-spam --operator sptq
step accuracy-qat-sptq accuracy --model bge-spam --operator identity,sptq,qat --set large --out $OUT/accuracy-qat-sptq
step variants-prune variants --model bge-spam --operator prune
step variants-prune-sptq variants --model bge-spam --operator prune+sptq
step accuracy-prune accuracy --model bge-spam --operator prune,prune+sptq --set large --out $OUT/accuracy-prune
step variants-finetune variants --model bge-spam --operator finetune
step variants-prune-channels variants --model bge-spam --operator prune-channels
step variants-distill variants --model bge-spam --operator distill
echo "$(date +%T) done" >> $OUT/load.txt
