#!/usr/bin/env bash
# Throughput with the Linux kernel as peer (docs/performance.md, "TUN"): a tcp4j stack behind a TUN
# interface against kernel sockets, tcp4j sending and receiving; and, in the same run, kernel to
# kernel between two network namespaces over a veth pair. Everything happens in network namespaces
# this script makes and deletes (tcp4j-bench-*); nothing leaves them.
#
#   tcp-bench/run-tun.sh [BYTES] [ROUNDS] [MTU...]     defaults: 1 GiB, 5 rounds, MTU 1500 and 9000
#
# Needs root, /dev/net/tun, iproute2 and a JDK 22+ (JAVA_HOME, default Temurin 25). About 2 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
BYTES=${1:-1073741824}
ROUNDS=${2:-5}
shift $(( $# > 2 ? 2 : $# )) || true
MTUS=("$@")
[ ${#MTUS[@]} -eq 0 ] && MTUS=(1500 9000)
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAVA="$JAVA_HOME/bin/java"
NS_TUN=tcp4j-bench-tun-$$
NS_A=tcp4j-bench-a-$$
NS_B=tcp4j-bench-b-$$
cleanup() {
  [ -n "${SERVER:-}" ] && kill "$SERVER" 2>/dev/null || true
  for ns in "$NS_TUN" "$NS_A" "$NS_B"; do ip netns delete "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT

echo "# building (JDK: $("$JAVA" -version 2>&1 | head -1))"
mvn -q -o -pl tcp-bench -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile="$PWD/tcp-bench/target/classpath.txt" -Dmdep.includeScope=runtime >/dev/null
CP="$PWD/tcp-bench/target/classes:$(cat tcp-bench/target/classpath.txt)"
JVM=("$JAVA" -Xms1g -Xmx1g --enable-native-access=ALL-UNNAMED -cp "$CP" io.github.tcp4j.bench.TunThroughput)
echo "# $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); kernel $(uname -r); load $(cut -d' ' -f1-3 /proc/loadavg)"

ip netns add "$NS_TUN"; ip -n "$NS_TUN" link set lo up
ip -n "$NS_TUN" tuntap add dev tcp4j0 mode tun
ip -n "$NS_TUN" addr add 10.77.0.1/24 dev tcp4j0
ip netns add "$NS_A"; ip netns add "$NS_B"
ip link add veth-a netns "$NS_A" type veth peer name veth-b netns "$NS_B"
ip -n "$NS_A" addr add 10.78.0.1/24 dev veth-a; ip -n "$NS_B" addr add 10.78.0.2/24 dev veth-b
for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
ip -n "$NS_A" link set veth-a up; ip -n "$NS_B" link set veth-b up

for mtu in "${MTUS[@]}"; do
  echo "## MTU $mtu"
  ip -n "$NS_TUN" link set tcp4j0 mtu "$mtu" up
  ip -n "$NS_A" link set veth-a mtu "$mtu"; ip -n "$NS_B" link set veth-b mtu "$mtu"
  ip netns exec "$NS_TUN" "${JVM[@]}" tcp4j tun:tcp4j0 10.77.0.2 10.77.0.1 "$BYTES" "$ROUNDS" "$mtu"
  ip netns exec "$NS_A" "${JVM[@]}" serve 10.78.0.1 5201 >/dev/null & SERVER=$!
  for _ in $(seq 100); do ip netns exec "$NS_A" ss -tlnH | grep -q 5201 && break; sleep 0.1; done
  ip netns exec "$NS_B" "${JVM[@]}" measure 10.78.0.1 5201 "$BYTES" "$ROUNDS"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
done
