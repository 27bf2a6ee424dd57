#!/usr/bin/env bash
# The README's "A real network" example from start to end: a tcp4j stack behind a Linux TUN
# interface, talking to the kernel's own TCP, all inside a network namespace this script makes
# (tcp4j-demo) and deletes on exit.
#   1. TinyHttpServer on tcp4j at 10.77.0.2:80; the kernel's ping and curl reach it;
#   2. TinyHttpClient on tcp4j fetches a page from a kernel-side web server at 10.77.0.1:8000
#      (jwebserver, the JDK's own).
# Needs root, /dev/net/tun, iproute2, curl, ping, and a JDK 22+ (JAVA_HOME, default Temurin 25).
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
NS=tcp4j-demo
RUN=(ip netns exec "$NS")

echo "== building with $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"
mvn -q -pl tcp-examples -am package -DskipTests dependency:build-classpath \
  -Dmdep.outputFile="$PWD/tcp-examples/target/classpath.txt" -Dmdep.includeScope=runtime
JAVA=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED
      -cp "$PWD/tcp-examples/target/classes:$(cat tcp-examples/target/classpath.txt)")

echo "== network namespace $NS: TUN interface tcp4j0, the kernel at 10.77.0.1/24"
ip netns add "$NS"
cleanup() {
  for p in $(ip netns pids "$NS" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  ip netns delete "$NS"
}
trap cleanup EXIT
ip -n "$NS" link set lo up
ip -n "$NS" tuntap add dev tcp4j0 mode tun
ip -n "$NS" addr add 10.77.0.1/24 dev tcp4j0
ip -n "$NS" link set tcp4j0 up

echo "== 1. tcp4j serves HTTP at 10.77.0.2:80 (two requests, then it stops)"
"${RUN[@]}" "${JAVA[@]}" io.github.tcp4j.examples.TinyHttpServer tun:tcp4j0 10.77.0.2 80 2 &
SERVER=$!
"${RUN[@]}" curl -sS --retry 20 --retry-connrefused --retry-delay 1 http://10.77.0.2/
"${RUN[@]}" ping -c 2 -i 0.3 10.77.0.2
"${RUN[@]}" curl -sS -o /dev/null -w 'second request: HTTP %{http_code}, %{size_download} bytes\n' http://10.77.0.2/
wait "$SERVER"

echo "== 2. tcp4j fetches http://10.77.0.1:8000/ from the kernel's side (jwebserver)"
WWW="$PWD/tcp-examples/target/www"
mkdir -p "$WWW"
echo "Hello from the Linux side of the TUN interface." > "$WWW/index.html"
"${RUN[@]}" "$JAVA_HOME/bin/jwebserver" -b 10.77.0.1 -p 8000 -d "$WWW" >/dev/null 2>&1 &
for _ in $(seq 100); do "${RUN[@]}" ss -tlnH | grep -q ':8000' && break; sleep 0.1; done
"${RUN[@]}" "${JAVA[@]}" io.github.tcp4j.examples.TinyHttpClient tun:tcp4j0 10.77.0.2 http://10.77.0.1:8000/
echo "== done"
