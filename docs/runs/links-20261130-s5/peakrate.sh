#!/bin/sh
# usage: peakrate.sh CP MBPS RTT_MS BYTES COUNT PEAK_FACTOR|none [new-connection]
# Option (i) of issue 13's bucket item, tried by hand: two untagged namespaces (h13pa, h13pb), tbf on both ends with
# the emulation's bucket (burst 3028, limit as Tbf.forLink) and, unless PEAK_FACTOR is "none", a second, peak-rate
# bucket: peakrate = PEAK_FACTOR x rate, mtu 1514 (one frame: veth) or 1500 (TUN). RTT_MS 0: a veth pair; else TUN
# devices and a PacketDelayLine (as the suite's packet links). reno. Prints LinkProbe send's nanoseconds per message
# (the first pays slow start on a kept connection) and the qdiscs as the kernel reports them.
CP=$1; MBPS=$2; RTT=$3; BYTES=$4; COUNT=$5; PEAK=$6; MODE=$7
JAVA=$(readlink -f $(which java))
T=/tmp/h13p; mkdir -p $T; rm -f $T/line.out $T/sink.out
ip netns add h13pa; ip netns add h13pb
trap "kill \$LINE \$SINK \$HOLD 2>/dev/null; ip netns delete h13pa; ip netns delete h13pb; rm -f $T/fifo $T/line.out $T/sink.out" EXIT
for n in h13pa h13pb; do ip -n $n link set lo up; ip netns exec $n sysctl -q -w net.ipv4.tcp_congestion_control=reno; done
if [ "$RTT" = "0" ]; then
  ip link add h13a netns h13pa type veth peer name h13b netns h13pb; FRAME=1514
else
  rm -f $T/fifo; mkfifo $T/fifo; sleep 1000 > $T/fifo & HOLD=$!
  sh -c 'echo 1 > /proc/$$/timerslack_ns; exec "$@"' sh $JAVA -Xmx128m -cp $CP org.tiermark.emulation.PacketDelayLine \
    /run/netns/h13pa h13a /run/netns/h13pb h13b $(echo "$RTT / 2" | bc -l) < $T/fifo > $T/line.out &
  LINE=$!
  while ! grep -q ready $T/line.out; do sleep 0.1; done
  FRAME=1500
fi
ip -n h13pa addr add 198.19.201.1/30 dev h13a; ip -n h13pb addr add 198.19.201.2/30 dev h13b
RATE=$(echo "$MBPS * 1000000 / 1" | bc); LIMIT=$(echo "r=$RATE/80; if (r<65536) 65536 else r" | bc)
PEAKARGS=""
if [ "$PEAK" != "none" ]; then PEAKARGS="peakrate $(echo "$RATE * $PEAK / 1" | bc)bit mtu $FRAME"; fi
tc -n h13pa qdisc add dev h13a root tbf rate ${RATE}bit burst 3028 limit $LIMIT $PEAKARGS
tc -n h13pb qdisc add dev h13b root tbf rate ${RATE}bit burst 3028 limit $LIMIT $PEAKARGS
ip -n h13pa link set h13a up; ip -n h13pb link set h13b up
tc -n h13pa qdisc show dev h13a
ip netns exec h13pb $JAVA -Xmx128m -cp $CP org.tiermark.emulation.LinkProbe sink 7000 > $T/sink.out &
SINK=$!
while ! grep -q ready $T/sink.out; do sleep 0.1; done
ip netns exec h13pa $JAVA -Xmx128m -cp $CP org.tiermark.emulation.LinkProbe send 198.19.201.2 7000 $BYTES $COUNT $MODE
