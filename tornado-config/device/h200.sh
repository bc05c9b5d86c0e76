#!/bin/bash
# One H200 session of the TornadoVM backend: correctness on the tiny models against the CPU engine
# (OpenCL and PTX), then decode/prompt speed on synthetic V2-Lite-size models. Run from the repository
# root on the GPU machine, with .device/ carried: made by this folder's pack.sh (tornado-device.tar.xz =
# a minimal JDK, the TornadoVM SDK and its argfile; app/ = this folder's files, our jars in app/lib,
# tiny GGUFs in app/models). Everything goes to $OUT (at most 8 files come back).
# usage: bash .device/app/h200.sh [STEPS...]   STEPS default: env check synth bench
set -u
OUT=${OUT:-/tmp/dsv3-out}; mkdir -p "$OUT"
APP=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(pwd)
START=$(date +%s)
left() { echo $(( ${DEADLINE:-560} - ($(date +%s) - START) )); }
log() { echo "[$(( $(date +%s) - START ))s] $*" | tee -a "$OUT/steps.txt"; }

W=/tmp/tvm; mkdir -p $W
tar -C $W -xJf "$ROOT/.device/tornado-device.tar.xz"
mkdir -p /etc/OpenCL/vendors /tmp/icd
echo libnvidia-opencl.so.1 > /etc/OpenCL/vendors/nvidia.icd
cp /etc/OpenCL/vendors/nvidia.icd /tmp/icd/
export OCL_ICD_VENDORS=/tmp/icd   # hide PoCL: OpenCL 0:0 is the H200
cd $W
CP=$(ls "$APP"/lib/*.jar | tr '\n' ':')
TVM=(./jdk/bin/java @argfile @"$APP/dsv3-tornado.args" -Dtornado.device.memory=100GB -Dtornado.recover.bailout=False
     --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx24g -cp "$CP")
PLAIN=(./jdk/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g -cp "$CP")
TOKENS=0,1,100,2000,17,999,3,44,512,1023,77,5,1500,1800,2047,9,10,11,300,301,302,600,700,800
TINY="$APP/models/tiny-v2.bf16.gguf $ROOT/testdata/models/quant/tiny-v3.q4_k_m.gguf $APP/models/tiny-v3.q8_0.gguf"

steps=${*:-synth env check bench}
for s in $steps; do case $s in
env)
  log env
  { nvidia-smi; nvidia-smi --query-gpu=name,clocks.sm,clocks.max.sm,clocks.mem,power.draw --format=csv; nproc; free -g
    timeout 60 "${TVM[@]}" -m tornado.drivers.common/uk.ac.manchester.tornado.drivers.TornadoDeviceQuery; } > "$OUT/env.txt" 2>&1 ;;
synth)
  log synth
  "${PLAIN[@]}" org.dsv3.runner.Main synth --arch v2-lite --type q8_0 --out /tmp/v2l.q8_0.gguf >> "$OUT/steps.txt" 2>&1 &
  "${PLAIN[@]}" org.dsv3.runner.Main synth --arch v2-lite --type q4_k_m --out /tmp/v2l.q4_k_m.gguf >> "$OUT/steps.txt" 2>&1 &
  ;;  # runs in the background while the checks run; bench waits for it
check)
  log check opencl
  timeout 120 "${TVM[@]}" org.dsv3.tornado.tasks.TornadoCheck opencl:0 $TOKENS $TINY > "$OUT/check.txt" 2>&1
  log kernel checks ptx
  timeout 60 "${TVM[@]}" org.dsv3.tornado.tasks.KernelCheck ptx:0 >> "$OUT/check.txt" 2>&1
  if [ -n "${PTX_MODELS:-}" ]; then
    log check ptx
    for m in $TINY; do   # one JVM per model
      timeout 60 "${TVM[@]}" org.dsv3.tornado.tasks.TornadoCheck ptx:0 $TOKENS $m >> "$OUT/check.txt" 2>&1
    done
  fi ;;
bench)
  wait; ls -la /tmp/*.gguf >> "$OUT/steps.txt"
  # BENCHES="MODEL DEVICE [JVM-OPTION];…" overrides the default list
  if [ -n "${BENCHES:-}" ]; then IFS=';' read -ra CFGS <<< "$BENCHES"
  else CFGS=("q8_0 opencl:0" "q8_0 ptx:0 -Ddsv3.tornado.cudaGraph=true" "q4_k_m opencl:0"
             "q4_k_m ptx:0 -Ddsv3.tornado.cudaGraph=true" "q8_0 opencl:0 -Ddsv3.tornado.layersPerGraph=5"); fi
  for cfg in "${CFGS[@]}"; do
    set -- $cfg
    t=$(( $(left) < 120 ? $(left) : 120 ))
    if [ "$t" -lt 35 ]; then log "skip bench $cfg (time)"; continue; fi
    log "bench $cfg (timeout $t s)"
    tag=${3:+-${3##*.}}; tag=${tag//=/}
    f="$OUT/bench-$1-${2%%:*}$tag.txt"
    timeout $t "${TVM[@]}" ${3:-} org.dsv3.tornado.tasks.TornadoBench /tmp/v2l.$1.gguf $2 ${DECODE:-48} ${PROMPT:-64} > "$f" 2>&1
    echo "exit $?" >> "$f"
  done ;;
esac; done
log done
