#!/bin/sh
# usage: trace.sh CP MBPS RTT_MS BYTES COUNT OUT [new-connection]
# two namespaces (not tagged: h13ta/h13tb), a PacketDelayLine with a packet trace, tbf on both TUN devices, reno.

CP=$1; MBPS=$2; RTT=$3; BYTES=$4; COUNT=$5; OUT=$6; MODE=$7
JAVA=$(readlink -f $(which java))
rm -f /tmp/h13/line.out /tmp/h13/sink.out; ip netns add h13ta; ip netns add h13tb
trap "kill \$LINE \$SINK 2>/dev/null; ip netns delete h13ta; ip netns delete h13tb; rm -f /tmp/h13/fifo /tmp/h13/line.out /tmp/h13/sink.out" EXIT
for n in h13ta h13tb; do ip -n $n link set lo up; ip netns exec $n sysctl -q -w net.ipv4.tcp_congestion_control=reno; done
rm -f /tmp/h13/fifo; mkfifo /tmp/h13/fifo
sleep 1000 > /tmp/h13/fifo &
HOLD=$!
sh -c 'echo 1 > /proc/$$/timerslack_ns; exec "$@"' sh $JAVA -Xmx128m -Dtiermark.packetTrace=$OUT -cp $CP org.tiermark.emulation.PacketDelayLine /run/netns/h13ta h13a /run/netns/h13tb h13b $(echo "$RTT / 2" | bc -l) < /tmp/h13/fifo > /tmp/h13/line.out &
LINE=$!
while ! grep -q ready /tmp/h13/line.out; do sleep 0.1; done
ip -n h13ta addr add 198.19.200.1/30 dev h13a; ip -n h13tb addr add 198.19.200.2/30 dev h13b
RATE=$(echo "$MBPS * 1000000 / 1" | bc); LIMIT=$(echo "r=$RATE/80; if (r<65536) 65536 else r" | bc)
tc -n h13ta qdisc add dev h13a root tbf rate ${RATE}bit burst 3028 limit $LIMIT
tc -n h13tb qdisc add dev h13b root tbf rate ${RATE}bit burst 3028 limit $LIMIT
ip -n h13ta link set h13a up; ip -n h13tb link set h13b up
ip netns exec h13tb $JAVA -Xmx128m -cp $CP org.tiermark.emulation.LinkProbe sink 7000 > /tmp/h13/sink.out &
SINK=$!
while ! grep -q ready /tmp/h13/sink.out; do sleep 0.1; done
ip netns exec h13tb sysctl net.ipv4.tcp_rmem net.ipv4.tcp_wmem net.ipv4.tcp_congestion_control
ip netns exec h13ta $JAVA -Xmx128m -cp $CP org.tiermark.emulation.LinkProbe send 198.19.200.2 7000 $BYTES $COUNT $MODE
kill $HOLD
sleep 1
