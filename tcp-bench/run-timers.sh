#!/usr/bin/env bash
# Reproduces the timer table of docs/performance.md: tcp4j's wheel against Agrona's
# DeadlineTimerWheel, Netty's HashedWheelTimer and the JDK's ScheduledThreadPoolExecutor,
# one million timers uniform over 60 s, with the GC profiler for bytes allocated per operation.
# Takes about 10 minutes on 2 cores. Extra arguments go to JMH (e.g. -wi 1 -i 2 for a quick look).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/tcp-bench/target/jmh"
mkdir -p "$out"
jmh() { mvn -q -pl tcp-bench -am package exec:exec -DskipTests -Djmh.args="$*"; }
# (a) all five implementations; (b) only the ones a manual clock can drive.
jmh "TimerBenchmarks.scheduleThenCancelAll -prof gc -rf json -rff $out/cancel.json ${*:-}"
jmh "TimerBenchmarks.scheduleThenExpireAll -p impl=tcp4j,agrona-65536,agrona-512 -prof gc -rf json -rff $out/expire.json ${*:-}"
jmh "TimeWaitBenchmarks -prof gc -rf json -rff $out/timewait.json ${*:-}"
echo "results: $out/cancel.json $out/expire.json $out/timewait.json"
