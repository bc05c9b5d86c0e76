#!/usr/bin/env bash
# Prepares .device/ for a GPU machine that has a driver but no Java and no TornadoVM (the H200 machine):
#   .device/tornado-device.tar.xz   jdk/     a minimal JDK 25 made by jlink from $JAVA_HOME
#                                   tvm/     the TornadoVM SDK at $TORNADOVM_HOME (jars, native libraries, etc/)
#                                   argfile  $TORNADOVM_HOME/tornado-argfile with its paths made relative,
#                                            so java must start in the folder the archive was unpacked into
#   .device/app/                    this folder's scripts, tornado-config/*.args, lib/ = the runner's jars
#                                   and their dependencies (TornadoVM modules included), models/ = MODEL files
# Nothing is built here: run it after `./dsv3 devices` (or `mvn -B -q package -DskipTests -pl runner -am`)
# with TORNADOVM_HOME set. For the PTX backend TORNADOVM_HOME must be an SDK that has it (a PTX or
# combined release archive); the machine running this script does not need the NVIDIA driver.
# usage: tornado-config/device/pack.sh [MODEL.gguf ...]        (from the repository root)
#   MODELs go to app/models; h200.sh's check step reads tiny-v2.bf16.gguf and tiny-v3.q8_0.gguf there
#   (from the full test data, testdata/README.md) besides the committed testdata/models/quant/tiny-v3.q4_k_m.gguf.
# then, on the device machine, from the repository root: bash .device/app/h200.sh [STEPS...]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
SDK=$(cd "${TORNADOVM_HOME:?set TORNADOVM_HOME to the TornadoVM SDK to ship}" && pwd -P)
JDK=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
CP_FILE=runner/target/classpath.txt
[ -f "$SDK/tornado-argfile" ] || { echo "pack.sh: $SDK has no tornado-argfile: not a TornadoVM SDK" >&2; exit 2; }
[ -f "$CP_FILE" ] && grep -q dsv3-tasks "$CP_FILE" \
  || { echo "pack.sh: build the runner with TORNADOVM_HOME set first (./dsv3 devices)" >&2; exit 2; }

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

# 1. a JDK with the modules the runner and TornadoVM use (JVMCI for TornadoVM's compiler, java.desktop
#    for its PTX driver, jdk.httpserver for `dsv3 serve`)
MODULES=java.base,java.logging,java.management,jdk.management,jdk.unsupported,jdk.internal.vm.ci,jdk.incubator.vector
MODULES+=,java.desktop,java.naming,java.net.http,java.sql,java.xml,jdk.httpserver,jdk.crypto.ec,jdk.zipfs
"$JDK/bin/jlink" --add-modules "$MODULES" --strip-debug --no-header-files --no-man-pages \
  --output "$STAGE/jdk" 2> >(grep -v -i incubat >&2)

# 2. the SDK as it is, and its argfile with relative paths
cp -RL "$SDK" "$STAGE/tvm"   # -L: a linked-in backend jar travels as a file
rm -f "$STAGE/tvm/tornado-argfile"
sed -e "s#$SDK#tvm#g" -e 's#--module-path \.:#--module-path #' "$SDK/tornado-argfile" > "$STAGE/argfile"
if grep -q "$HOME" "$STAGE/argfile"; then
  echo "pack.sh: the argfile still names local paths:" >&2; grep -n "$HOME" "$STAGE/argfile" >&2; exit 1
fi

mkdir -p .device
tar -C "$STAGE" -cf - jdk tvm argfile | xz -6 -T0 > .device/tornado-device.tar.xz

# 3. the application: scripts, JVM option files, jars, models
rm -rf .device/app
mkdir -p .device/app/lib .device/app/models
cp tornado-config/device/*.sh tornado-config/*.args .device/app/
cp runner/target/dsv3-runner-*.jar .device/app/lib/
tr ":" "\n" < "$CP_FILE" | while read -r jar || [ -n "$jar" ]; do
  [ -z "$jar" ] && continue
  [ -f "$jar" ] || { echo "pack.sh: $jar (from $CP_FILE) is not a jar: run mvn package first" >&2; exit 1; }
  cp "$jar" .device/app/lib/
done
for m in "$@"; do cp "$m" .device/app/models/; done

du -sh .device/tornado-device.tar.xz .device/app >&2
echo "pack.sh: carry .device to the device machine; run bash .device/app/h200.sh there" >&2
