#!/usr/bin/env bash
# Reproduces the "Bulk transfer" section of docs/performance.md: 1 GiB from one tcp4j stack to
# another over the in-memory network in real time (MTU 65,535 and 1,500, with and without checksum
# offload) against java.net.Socket over the kernel's loopback, in one JMH run with the GC profiler
# (bytes allocated per operation, divided by the segments of the operation), then the checksum
# benchmark, and a short JFR run that attributes the allocations; prints the tables. Takes about
# 4 minutes on 2 cores. Extra arguments go to the first two JMH runs (e.g. -wi 1 -i 3 for a quick
# look, or -p path=kernel-loopback,tcp4j-mtu65535). Needs jq to print the tables (the results stay
# in tcp-bench/target/jmh either way).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$PWD/tcp-bench/target/jmh"
mkdir -p "$out"
jmh() { mvn -q -pl tcp-bench -am package exec:exec -DskipTests -Djmh.args="$*"; }

echo "== $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
java -version 2>&1 | sed 's/^/== /'

jmh "BulkTransferBenchmarks -prof gc -rf json -rff $out/bulk.json ${*:-}"
jmh "ChecksumBenchmarks -rf json -rff $out/checksum.json ${*:-}"
# Where the allocations come from: a shorter run of the two checksummed tcp4j paths with JFR's
# allocation sampling (deep stacks, so each sample reaches the code that caused it).
rm -rf "$out/jfr"
jmh "BulkTransferBenchmarks -p path=tcp4j-mtu65535,tcp4j-mtu1500 -wi 3 -i 4 -prof jfr:dir=$out/jfr;configName=profile \
  -jvmArgsAppend '-Xms2g -Xmx2g -Dio.netty.leakDetection.level=disabled -XX:FlightRecorderOptions=stackdepth=512'"

if ! command -v jq >/dev/null 2>&1; then
  echo "jq not found: the results are in $out/bulk.json and $out/checksum.json"
  exit 0
fi

echo
echo "Bulk transfer: GB/s = 10^9 bytes/s, mean over the measured 1 GiB transfers [slowest, fastest];"
echo "ratio = tcp4j's mean / the kernel's mean; CPU s/GiB = CPU time of all JVM threads per GiB moved;"
echo "B/segment = bytes allocated per transfer / segments sent."
jq -r '
  def mean: add / length;
  [ .[] | select(.benchmark | endswith("BulkTransferBenchmarks.transfer")) |
    { path: .params.path,
      bytes: (.params.bytes | tonumber),
      secs: .primaryMetric.rawData[0],
      alloc: .secondaryMetrics["gc.alloc.rate.norm"].rawData[0],
      segs: .secondaryMetrics["segments"].rawData[0],
      cpu: .secondaryMetrics["cpuSeconds"].rawData[0] } ] as $rows
  | ($rows | map(select(.path == "kernel-loopback")) | first) as $k
  | (if $k then ($k.secs | map($k.bytes / . / 1e9) | mean) else null end) as $kernel
  | ["path", "GB/s", "[min, max]", "ratio", "CPU s/GiB", "B/transfer", "segments", "B/segment"],
    ($rows[] |
      (.bytes as $b | .secs | map($b / . / 1e9)) as $gbs
      | ($gbs | mean) as $m
      | (.segs | mean) as $s
      | [ .path,
          ($m * 100 | round / 100 | tostring),
          "[" + ($gbs | min * 100 | round / 100 | tostring) + ", " + ($gbs | max * 100 | round / 100 | tostring) + "]",
          (if $kernel and .path != "kernel-loopback" then ($m / $kernel * 100 | round / 100 | tostring) + "x" else "-" end),
          ((.bytes as $b | .cpu | map(. / $b * 1073741824) | mean) * 100 | round / 100 | tostring),
          (.alloc | mean | round | tostring),
          ($s | round | tostring),
          (if $s > 0 then ([.alloc, .segs] | transpose | map(.[0] / .[1]) | mean * 10 | round / 10 | tostring) else "-" end) ]
    ) | @tsv' "$out/bulk.json" | column -t -s $'\t'

echo
echo "Checksum of one 65,535-byte segment: GB/s (ops/s x 65,535), ratio = tcp4j / ByteBuf.getLong baseline."
jq -r '
  [ .[] | { buffer: .params.buffer, impl: (.benchmark | split(".") | last), ops: .primaryMetric.score } ] as $rows
  | ["buffer", "implementation", "GB/s", "ratio"],
    ($rows[] | . as $r
      | ($rows | map(select(.buffer == $r.buffer and .impl == "byteBufGetLong")) | first | .ops) as $base
      | [ .buffer, .impl, (.ops * 65535 / 1e9 * 100 | round / 100 | tostring),
          (if .impl == "tcp4j" then (.ops / $base * 100 | round / 100 | tostring) + "x" else "-" end) ])
  | @tsv' "$out/checksum.json" | column -t -s $'\t'

echo
echo "Allocation sites (JFR allocation samples in the measured iterations, weighted by bytes): of the bytes"
echo "allocated with tcp4j code on the stack, the share under io.github.tcp4j.core.conn and the share"
echo "elsewhere, with the top sites elsewhere (the rest is the JVM's, JFR's and JMH's own)."
for f in "$out"/jfr/*/profile.jfr; do
  path=$(basename "$(dirname "$f")" | sed 's/.*-path-//')
  jfr print --json --events jdk.ObjectAllocationSample "$f" | jq -r --arg path "$path" '
    [ .recording.events[] | .values as $v
      | ($v.stackTrace.frames // []) as $fr
      | ($fr | map(.method.type.name)) as $types
      | select(any($types[]; startswith("io/github/tcp4j/") and (startswith("io/github/tcp4j/bench/") | not)))
      | { w: $v.weight, conn: any($types[]; startswith("io/github/tcp4j/core/conn/")),
          site: ($v.objectClass.name + " at " + ($fr[0:4] | map(.method.type.name + "." + .method.name) | join(" < "))) } ]
    | (map(.w) | add // 0) as $t
    | (map(select(.conn) | .w) | add // 0) as $c
    | "\($path): in conn \(if $t > 0 then ($c / $t * 1000 | round / 10) else 0 end)%, outside conn \(if $t > 0 then (($t - $c) / $t * 1000 | round / 10) else 0 end)%",
      (map(select(.conn | not)) | group_by(.site) | map({site: .[0].site, w: (map(.w) | add)}) | sort_by(-.w) | .[0:5][]
        | "    outside conn: \(.w / $t * 1000 | round / 10)% \(.site)")'
done
echo "results: $out/bulk.json $out/checksum.json $out/jfr"
