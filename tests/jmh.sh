#!/usr/bin/env bash
# Builds the benchmarks and runs JMH; arguments go to JMH (e.g. QuantDotBenchmark -p type=Q8_0,Q4_K).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cd "$ROOT"
mvn -q -B package dependency:build-classpath -DskipTests -pl tests -am \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
exec "$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "tests/target/classes:$(cat tests/target/classpath.txt)" \
  org.openjdk.jmh.Main "$@"
