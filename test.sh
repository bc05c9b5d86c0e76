#!/usr/bin/env bash
# Runs every test (mvn -B verify). With ../shared/testdata beside the checkout (or DSV3_TESTDATA set) the
# full conformance suite runs against it; otherwise the small subset committed under testdata/.
# With TORNADOVM_HOME set (a TornadoVM 5.2.0-jdk25 SDK, README.md "GPU backend"), the TornadoVM modules
# are built and their tests run on TornadoVM's default device (PoCL on a machine without a GPU) too.
# Extra arguments go to Maven, e.g. ./test.sh -Dtornado.full (the slow TornadoVM cases, tornado-config/README.md).
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
echo "test.sh: test data: ${DATA:-the subset committed under testdata/}" >&2
if [ -z "${TORNADOVM_HOME:-}" ]; then
  echo "test.sh: TORNADOVM_HOME is not set: the TornadoVM modules and their PoCL/GPU tests are skipped (CPU suite only)." >&2
else
  if [ ! -f "$TORNADOVM_HOME/tornado-argfile" ]; then
    echo "test.sh: TORNADOVM_HOME=$TORNADOVM_HOME has no tornado-argfile: not a TornadoVM SDK (README.md, \"GPU backend\")" >&2
    exit 2
  fi
  full=no; for a in "$@"; do case $a in -Dtornado.full|-Dtornado.full=true) full=yes ;; esac; done
  echo "test.sh: TORNADOVM_HOME=$TORNADOVM_HOME: building and testing the TornadoVM backend too" \
       "($([ $full = yes ] && echo "full set, -Dtornado.full" || echo "CI set; -Dtornado.full adds the slow cases"))." >&2
fi
exec mvn -B -ntp verify ${DATA:+-Ddsv3.testdata="$DATA"} "$@"
