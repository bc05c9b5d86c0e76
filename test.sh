#!/usr/bin/env bash
# Runs every test. With ../shared/testdata beside the checkout (or DSV3_TESTDATA set), the full
# conformance suite runs against it; otherwise the small subset committed under testdata/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
if [ -z "${JAVA_HOME:-}" ] && [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
DATA="${DSV3_TESTDATA:-}"
if [ -z "$DATA" ] && [ -d "$ROOT/../shared/testdata" ]; then
  DATA="$(cd "$ROOT/../shared/testdata" && pwd)"
fi
if [ -z "${TORNADOVM_HOME:-}" ]; then
  echo "test.sh: TORNADOVM_HOME is not set: the TornadoVM modules and their PoCL/GPU tests are skipped (CPU suite only)." >&2
else
  echo "test.sh: TORNADOVM_HOME=$TORNADOVM_HOME: building and testing the TornadoVM backend too." >&2
fi
exec mvn -B -ntp verify ${DATA:+-Ddsv3.testdata="$DATA"} "$@"
