#!/bin/bash
# One H200 session of the TornadoVM backend: correctness against the CPU engine (tiny models and a
# 3-block V2-Lite-size synthetic model, PTX and OpenCL), then decode/prompt speed on synthetic
# V2-Lite-size models. Run from the repository root on the GPU machine, with .device/ carried:
# tornado-device.tar.xz (from this folder's pack.sh: a JDK and the TornadoVM SDK), app/ = this
# folder's files plus dsv3-tornado.args, our jars in app/lib, tiny GGUFs in app/models.
# Everything goes to $OUT (at most 8 files come back).
# usage: bash .device/app/h200.sh [STEPS...]   STEPS default: synth env check bench (check-f16: the checks
#   with an F16 latent cache on both engines, PTX)
#   steps: synth synth-v3 env check check-ptx check-opencl check-f16 check-int8 check-big dsv3bench nsys ncu ptx kernels bench llama-build llama-bench
#   BENCHES="MODEL DEVICE DECODE PROMPT DEPTH [JVM-OPTION...];..." the benchmark list (see below)
#   VARIANT_ALL=NAME: app/variants/NAME.jar first on every step's class path; NSYS_BENCH/NCU_BENCH="DECODE PROMPT DEPTH"
#   JVM_EXTRA="-D..." options for every TornadoVM JVM (checks, kernels, benches), e.g. -Ddsv3.tornado.tensorCores=true
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
[ -n "${VARIANT_ALL:-}" ] && CP="$APP/variants/$VARIANT_ALL.jar:$CP"   # a kernel variant for every step
TVM=(./jdk/bin/java @argfile @"$APP/dsv3-tornado.args" -Dtornado.device.memory=100GB -Dtornado.recover.bailout=False
     --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx24g -cp "$CP" ${JVM_EXTRA:-})
PLAIN=(./jdk/bin/java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xmx8g -cp "$CP")
TOKENS=0,1,100,2000,17,999,3,44,512,1023,77,5,1500,1800,2047,9,10,11,300,301,302,600,700,800
TINY="$ROOT/testdata/models/quant/tiny-v3.q4_k_m.gguf ${TINY_EXTRA:-}"

steps=${*:-synth env check bench}
for s in $steps; do case $s in
env)
  log env
  { nvidia-smi --query-gpu=name,driver_version,clocks.sm,clocks.max.sm,clocks.mem,power.draw --format=csv; nproc
    timeout 60 "${TVM[@]}" -m tornado.drivers.common/uk.ac.manchester.tornado.drivers.TornadoDeviceQuery | grep -i "device\|backend"
    command -v nsys ncu nvcc; ls -d /usr/local/cuda*/bin /opt/nvidia/* 2>/dev/null; } > "$OUT/env.txt" 2>&1 ;;
synth)
  log synth
  "${PLAIN[@]}" org.dsv3.runner.Main synth --arch v2-lite --layers 3 --type q8_0 --out /tmp/v2l3.q8_0.gguf >> "$OUT/steps.txt" 2>&1
  "${PLAIN[@]}" org.dsv3.runner.Main synth --arch v2-lite --type q8_0 --out /tmp/v2l.q8_0.gguf >> "$OUT/steps.txt" 2>&1 &
  "${PLAIN[@]}" org.dsv3.runner.Main synth --arch v2-lite --type q4_k_m --out /tmp/v2l.q4_k_m.gguf >> "$OUT/steps.txt" 2>&1 &
  ;;  # the big ones are written in the background while the checks run; bench waits for them
synth-v3)   # DeepSeek-V3 dimensions, the first V3_LAYERS blocks (3 dense + MoE), a dynamic i-quant mix, in the background
  log "synth-v3 ${V3_TYPE:-ud-iq1_s} ${V3_LAYERS:-5} blocks"
  ( "${PLAIN[@]}" org.dsv3.runner.Main synth --arch v3 --layers ${V3_LAYERS:-5} --type ${V3_TYPE:-ud-iq1_s} --out /tmp/v3.gguf \
      && "${PLAIN[@]}" org.dsv3.runner.Main info -m /tmp/v3.gguf ) > "$OUT/v3-info.txt" 2>&1 &
  ;;
check|check-ptx|check-opencl|check-f16|check-int8)   # one JVM per model; check-f16: both engines with an F16 latent
  # cache, PTX; check-int8: the device's 8-bit inputs (-Ddsv3.tornado.int8=true, PTX's dp4a) against the exact CPU engine
  KV=f32; X=()
  case $s in check-ptx) BACKENDS=ptx ;; check-opencl) BACKENDS=opencl ;; check-f16) BACKENDS=ptx; KV=f16 ;;
    check-int8) BACKENDS=ptx; X=(-Ddsv3.tornado.int8=true -Dtornado.ptx.priority=100) ;; *) BACKENDS="ptx opencl" ;; esac
  for b in $BACKENDS; do
    for m in $TINY /tmp/v2l3.q8_0.gguf; do
      if [ "$(left)" -lt 60 ]; then log "skip check $b $(basename $m) (time)"; continue; fi
      log "check $b $(basename $m) kv $KV ${X[*]}"
      timeout 90 "${TVM[@]}" "${X[@]}" -Ddsv3.tornado.kvType=$KV org.dsv3.tornado.tasks.TornadoCheck $b:0 $TOKENS $m >> "$OUT/check.txt" 2>&1 || echo "exit $?" >> "$OUT/check.txt"
    done
  done ;;
check-big)   # the whole V2-Lite-size Q8_0 model (4 graphs of up to 9 blocks) against the CPU engine
  wait
  log "check ptx v2l.q8_0.gguf"
  timeout 150 "${TVM[@]}" org.dsv3.tornado.tasks.TornadoCheck ptx:0 0,1,100,2000,17,999,3,44 /tmp/v2l.q8_0.gguf >> "$OUT/check.txt" 2>&1 || echo "exit $?" >> "$OUT/check.txt" ;;
dsv3bench)   # the product's own benchmark (logits to the host every token, as for any backend)
  wait
  for m in q8_0; do
    if [ "$(left)" -lt 70 ]; then log "skip dsv3 bench $m (time)"; continue; fi
    log "dsv3 bench $m"
    timeout 120 "${TVM[@]}" org.dsv3.runner.Main bench -m /tmp/v2l.$m.gguf --device tornado -p 0 -n 128 -r 2 >> "$OUT/dsv3bench.txt" 2>&1 || echo "exit $?" >> "$OUT/dsv3bench.txt"
  done ;;
nsys)   # per-kernel device time inside CUDA graphs (Nsight Systems, when the machine has it)
  wait
  NSYS=$(command -v nsys || ls /usr/local/cuda*/bin/nsys /opt/nvidia/nsight-systems*/*/bin/nsys /opt/nvidia/nsight-systems*/bin/nsys 2>/dev/null | head -1)
  if [ -z "$NSYS" ]; then log "no nsys on this machine"; else
    log "nsys ($NSYS) q8_0"
    timeout 150 "$NSYS" profile --trace=cuda --cuda-graph-trace=node -f true -o /tmp/dsv3prof "${TVM[@]}" -Ddsv3.bench.noProfile=true \
      org.dsv3.tornado.tasks.TornadoBench /tmp/v2l.q8_0.gguf - ${NSYS_BENCH:-32 8 0} > "$OUT/nsys-run.txt" 2>&1
    timeout 120 "$NSYS" stats --report cuda_gpu_kern_sum --format csv -o /tmp/dsv3kern /tmp/dsv3prof.nsys-rep >> "$OUT/nsys-run.txt" 2>&1
    cp /tmp/dsv3kern*.csv "$OUT/" 2>/dev/null
  fi ;;
ncu)    # Nsight Compute on a few matvec launches (PTX without CUDA graphs): throughput and stall reasons
  wait
  NCU=$(command -v ncu || ls /usr/local/cuda/bin/ncu 2>/dev/null | head -1)
  if [ -z "$NCU" ]; then log "no ncu on this machine"; else
    log "ncu ($NCU) q8_0"
    timeout 200 "$NCU" --target-processes all -k "regex:${NCU_KERNELS:-expertsGateUp|downAdd|project2}" -c ${NCU_COUNT:-3} \
      ${NCU_SECTIONS:---section SpeedOfLight --section MemoryWorkloadAnalysis --section WarpStateStats --section LaunchStats --section Occupancy} \
      "${TVM[@]}" -Ddsv3.tornado.cudaGraph=false -Ddsv3.bench.noProfile=true -Ddsv3.bench.sample=false \
      org.dsv3.tornado.tasks.TornadoBench /tmp/v2l.q8_0.gguf ptx:0 ${NCU_BENCH:-4 2 0} > "$OUT/ncu.txt" 2>&1
  fi ;;
llama-build)   # llama.cpp's CUDA llama-bench, for the side-by-side rows: built in the background from a
  # fetched llama.cpp source packed as .device/llama-src.tar.xz (never part of this repository); the
  # llama-bench step waits for it. Detached (disown), so that the other steps' `wait` does not wait for it.
  if [ ! -f "$ROOT/.device/llama-src.tar.xz" ]; then log "no .device/llama-src.tar.xz: no llama.cpp build"; else
    log "llama-build (background)"
    ( mkdir -p /tmp/llama && tar -C /tmp/llama -xJf "$ROOT/.device/llama-src.tar.xz" \
      && cmake -S /tmp/llama -B /tmp/llama/build -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_NATIVE=ON \
           -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF -DLLAMA_BUILD_APP=OFF \
           -DLLAMA_BUILD_UI=OFF -DLLAMA_OPENSSL=OFF \
      && nice -n 5 cmake --build /tmp/llama/build --target llama-bench -j "${LLAMA_JOBS:-12}"
      echo "exit $?" > /tmp/llama/done ) > /tmp/llama-build.log 2>&1 &
    disown
  fi ;;
llama-bench)   # LLAMA_BENCHES="MODEL ARGS;...", default tg128 + pp512 at depth 0 and 4096 on both files
  wait
  for i in $(seq 1 "$(left)"); do [ -f /tmp/llama/done ] && break; [ "$(left)" -lt 30 ] && break; sleep 1; done
  tail -5 /tmp/llama-build.log > "$OUT/llama-build.txt" 2>&1
  if [ ! -x /tmp/llama/build/bin/llama-bench ]; then log "no llama-bench (build not done or failed)"; else
    IFS=';' read -ra LB <<< "${LLAMA_BENCHES:-q8_0 -p 512 -n 128 -d 0,4096 -r 2;q4_k_m -p 512 -n 128 -d 0,4096 -r 2}"
    for cfg in "${LB[@]}"; do
      set -- $cfg
      t=$(( $(left) < 150 ? $(left) : 150 ))
      if [ "$t" -lt 30 ]; then log "skip llama-bench $cfg (time)"; continue; fi
      log "llama-bench $cfg"
      timeout $t /tmp/llama/build/bin/llama-bench -m /tmp/v2l.$1.gguf -ngl 99 "${@:2}" -o md >> "$OUT/llama-bench.txt" 2>&1
    done
  fi ;;
ptx)   # the generated PTX of every kernel (q8_0 plan, no CUDA graphs) and ptxas's register/spill report per kernel
  wait
  log "ptx dump"
  mkdir -p /tmp/ptx
  timeout 120 "${TVM[@]}" -Dtornado.printKernel=true -Dtornado.print.kernel.dir=/tmp/ptx -Ddsv3.tornado.cudaGraph=false \
    -Ddsv3.bench.noProfile=true -Ddsv3.bench.sample=false org.dsv3.tornado.tasks.TornadoBench /tmp/v2l.q8_0.gguf ptx:0 2 2 0 > /tmp/ptx-run.txt 2>&1
  PTXAS=$(command -v ptxas || ls /usr/local/cuda/bin/ptxas 2>/dev/null | head -1)
  for f in /tmp/ptx/*; do
    [ -f "$f" ] && [ -n "$PTXAS" ] && { echo "== $(basename "$f")"; "$PTXAS" -v --gpu-name sm_90 -o /dev/null "$f" 2>&1 | grep -i "registers\|spill\|entry\|error"; }
  done > "$OUT/ptxas.txt" 2>&1
  tail -30 /tmp/ptx-run.txt >> "$OUT/ptxas.txt"
  tar -C /tmp -cJf "$OUT/ptx.tar.xz" ptx ;;
kernels)
  log kernel checks ptx
  # PTX as TornadoVM's default backend: the tensor-core cases compile only there
  timeout 60 "${TVM[@]}" -Dtornado.ptx.priority=100 org.dsv3.tornado.tasks.KernelCheck ptx:0 >> "$OUT/check.txt" 2>&1 ;;
bench)
  # the synthetic files' page cache written back first: on 2026-12-04 the benches that followed synth were often
  # the slow ones (the decode step is host-sensitive); a possible cause, so it is taken out of the way
  wait; sync; ls -la /tmp/*.gguf >> "$OUT/steps.txt"
  # MODEL DEVICE DECODE PROMPT DEPTH [JVM options]; DEVICE "-" = the default device (PTX + CUDA graphs on NVIDIA)
  if [ -n "${BENCHES:-}" ]; then IFS=';' read -ra CFGS <<< "$BENCHES"
  else CFGS=("q8_0 - 128 64 4096 -Ddsv3.bench.noProfile=true" "q8_0 - 128 64 4096 -Ddsv3.bench.noProfile=true -Ddsv3.tornado.kvType=f32"
             "q4_k_m - 128 64 0 -Ddsv3.bench.noProfile=true"
             "q8_0 ptx:0 32 16 0 -Ddsv3.tornado.cudaGraph=false -Ddsv3.bench.sample=false"
             "q8_0 opencl:0 64 16 0 -Ddsv3.bench.sample=false"); fi
  i=0
  for cfg in "${CFGS[@]}"; do
    set -- $cfg
    i=$((i + 1))
    t=$(( $(left) < 150 ? $(left) : 150 ))
    if [ "$t" -lt 40 ]; then log "skip bench $cfg (time)"; continue; fi
    log "bench $cfg (timeout $t s)"
    f="$OUT/bench.txt"
    echo "=== bench $i: $cfg" >> "$f"
    opts=(); cp="$CP"
    for o in "${@:6}"; do   # VARIANT=NAME: kernel classes from app/variants/NAME.jar first (an A/B of a kernel shape)
      case $o in VARIANT=*) cp="$APP/variants/${o#VARIANT=}.jar:$CP" ;; *) opts+=("$o") ;; esac
    done
    model=/tmp/v2l.$1.gguf; case $1 in /*) model=$1 ;; esac   # a path, or a V2-Lite synth file's type
    timeout $t "${TVM[@]}" -cp "$cp" "${opts[@]}" org.dsv3.tornado.tasks.TornadoBench "$model" $2 $3 $4 $5 >> "$f" 2>&1
    echo "exit $?" >> "$f"
  done ;;
esac; done
log done
