#!/usr/bin/env bash
# Builds the benchmarks and times Int8DotBenchmark's methods by thread CPU time (for a shared machine,
# where JMH's wall-clock scores are too noisy); arguments: weight types (default Q8_0).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$ROOT"
mvn -q -B package dependency:build-classpath -DskipTests -pl tests -am \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "tests/target/classes:$(cat tests/target/classpath.txt)" \
  org.dsv3.tests.bench.Int8DotCpuTime "$@"
