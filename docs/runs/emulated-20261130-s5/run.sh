#!/bin/bash
# session 5: a default emulated run of resnet-fmnist over all deployments against the simulated one, after the bucket
cd /work/main
export OMP_WAIT_POLICY=PASSIVE
OUT=/work/runs/s5-em
for links in simulated emulated; do
  echo "$(date +%T) start $links load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
  /usr/bin/time -v java -Dai.djl.offline=true -Dtiermark.home=/work/main -jar /tmp/s5emjar/tiermark.jar suite --results $OUT/$links \
      --links $links --params "model=resnet-fmnist" --include '^DeploymentBenchmark$' --skip-accuracy > $OUT/$links.log 2>&1
  echo "$(date +%T) end $links exit $? load $(cut -d' ' -f1-3 /proc/loadavg)" >> $OUT/load.txt
done
echo "$(date +%T) done" >> $OUT/load.txt
