#!/bin/sh
# usage: trace-line.sh CP MBPS RTT_MS BYTES COUNT OUT [new-connection]
# As ../links-20261130-s4-quiet/probe-fix/trace.sh (two untagged namespaces, tbf as the emulation sets it, reno, a
# PacketDelayLine with -Dtiermark.packetTrace=OUT between them), but the line's JVM started as PacketDelayLine.command
# starts it (-XX:TieredStopAtLevel=1), and the line also writes OUT.written: each packet as it was handed on, with how
# late after its due time. Prints LinkProbe send's nanoseconds per message.
CP=$1; MBPS=$2; RTT=$3; BYTES=$4; COUNT=$5; OUT=$6; MODE=$7
JAVA=$(readlink -f $(which java))
T=/tmp/h13t; mkdir -p $T; rm -f $T/line.out $T/sink.out; ip netns add h13ta; ip netns add h13tb
trap "kill \$LINE \$SINK 2>/dev/null; ip netns delete h13ta; ip netns delete h13tb; rm -f $T/fifo $T/line.out $T/sink.out" EXIT
for n in h13ta h13tb; do ip -n $n link set lo up; ip netns exec $n sysctl -q -w net.ipv4.tcp_congestion_control=reno; done
rm -f $T/fifo; mkfifo $T/fifo
sleep 1000 > $T/fifo &
HOLD=$!
sh -c 'echo 1 > /proc/$$/timerslack_ns; exec "$@"' sh $JAVA -Xmx128m -XX:TieredStopAtLevel=1 -Dtiermark.packetTrace=$OUT -cp $CP org.tiermark.emulation.PacketDelayLine /run/netns/h13ta h13a /run/netns/h13tb h13b $(echo "$RTT / 2" | bc -l) < $T/fifo > $T/line.out &
LINE=$!
while ! grep -q ready $T/line.out 2>/dev/null; do sleep 0.1; done
ip -n h13ta addr add 198.19.200.1/30 dev h13a; ip -n h13tb addr add 198.19.200.2/30 dev h13b
RATE=$(echo "$MBPS * 1000000 / 1" | bc); LIMIT=$(echo "r=$RATE/80; if (r<65536) 65536 else r" | bc)
tc -n h13ta qdisc add dev h13a root tbf rate ${RATE}bit burst 3028 limit $LIMIT
tc -n h13tb qdisc add dev h13b root tbf rate ${RATE}bit burst 3028 limit $LIMIT
ip -n h13ta link set h13a up; ip -n h13tb link set h13b up
ip netns exec h13tb $JAVA -Xmx128m -cp $CP org.tiermark.emulation.LinkProbe sink 7000 > $T/sink.out &
SINK=$!
while ! grep -q ready $T/sink.out; do sleep 0.1; done
ip netns exec h13ta $JAVA -Xmx128m -cp $CP org.tiermark.emulation.LinkProbe send 198.19.200.2 7000 $BYTES $COUNT $MODE
kill $HOLD
sleep 1
