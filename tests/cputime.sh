#!/usr/bin/env bash
# Builds the benchmarks and times Int8DotBenchmark's methods by thread CPU time (for a shared machine,
# where JMH's wall-clock scores are too noisy); arguments: weight types (default Q8_0). A first argument
# ending in CpuTime names another timer of org.dsv3.tests.bench instead (e.g. BatchMatMulCpuTime Q8_0 Q4_K).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$ROOT"
mvn -q -B package dependency:build-classpath -DskipTests -pl tests -am \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
MAIN=Int8DotCpuTime
if [ $# -gt 0 ] && [[ "$1" == *CpuTime ]]; then MAIN="$1"; shift; fi
exec "$JAVA_HOME/bin/java" ${CPUTIME_JVM_ARGS:-} --add-modules jdk.incubator.vector -cp "tests/target/classes:$(cat tests/target/classpath.txt)" \
  org.dsv3.tests.bench.$MAIN "$@"
