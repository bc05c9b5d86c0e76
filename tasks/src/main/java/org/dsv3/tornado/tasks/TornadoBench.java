package org.dsv3.tornado.tasks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.gguf.GgufModel;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.ProfilerMode;

/**
 * Decode and prompt-processing speed of the TornadoVM backend, with TornadoVM's profiler breakdown:
 * kernel time per kind of task, the weight bytes each reads and the bandwidth that makes, and the host
 * time per token that is not kernel time. Usage:
 * {@code TornadoBench MODEL.gguf [DEVICE_DETAIL|-] [DECODE_TOKENS] [PROMPT_TOKENS] [DEPTH]}.
 *
 * <p>Phases on one plan: (1) prompt tokens through the block graphs only (no head), (2) greedy
 * decode, each token's id the argmax of the last, without the profiler: the wall time per token; (2a)
 * with {@code DEPTH > 0}, the same decode starting at position DEPTH (the cache rows before it hold
 * whatever is there, zeros mostly: the kernels' work does not depend on the values, so this times
 * decoding with DEPTH tokens of context), and the prompt batched at positions DEPTH …: ppN with DEPTH tokens of
 * context; (3) decode with the profiler: device time per task (with CUDA
 * graphs on, TornadoVM's profiler may see no single kernel: profile a plan without them). Host overhead ≈
 * (2) − Σ kernel times of (3).
 */
public final class TornadoBench {
    private TornadoBench() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        String detail = args.length > 1 && !args[1].equals("-") ? args[1] : "";
        int decode = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int prompt = args.length > 3 ? Integer.parseInt(args[3]) : 128;
        int depth = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        TornadoDevice device = DeviceSelector.select(detail);
        PlanOptions base = PlanOptions.fromSystemProperties(device);
        try (GgufModel file = GgufModel.open(model)) {
            DeepSeekConfig c = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
            long t0 = System.nanoTime();
            TornadoBackend backend = new TornadoBackend(file, c, device, base.withProfile(false));
            double read = (System.nanoTime() - t0) / 1e9;
            // the latent cache type: -Ddsv3.tornado.kvType=f32|f16|bf16, default f32 (what --kv-type auto picks here)
            org.dsv3.model.backend.KvCacheType kv = org.dsv3.model.backend.KvCacheType.parse(
                    System.getProperty("dsv3.tornado.kvType", "f32"));
            backend.newSession(new org.dsv3.model.backend.SessionOptions(kv,
                    Math.max(prompt + 3 * decode, depth + Math.max(decode, prompt)) + 24)).close();
            DecodePlan plan = backend.plan();
            DeviceModel m = backend.model();
            System.out.printf("model %s: %s, %d blocks, %.2f GiB of weights read per token%n", model.getFileName(),
                    c.family(), m.layers.length, m.bytesPerToken() / (double) (1L << 30));
            System.out.printf("device %s; read weights %.1f s, compile + upload + first token %.1f s%n", backend.device(),
                    read, plan.warmUpSeconds);
            System.out.printf("plan: %d graphs (executes) per token, %d kernel launches per token, up to %d attention slices "
                    + "of >= %d positions, %s attention%s%s%n", plan.graphs.graphs.size(), plan.graphs.tasksPerToken,
                    base.splits(), base.slicePositions(), base.attention().label(), base.cudaGraph() ? ", CUDA graphs" : "",
                    base.int8Ffn() == Int8Ffn.OFF ? "" : ", 8-bit inputs (" + base.int8Ffn().name().toLowerCase(java.util.Locale.ROOT)
                            + (base.dp4a() ? ", dp4a)" : ", byte products)")
                            + (base.expertsGroup() != PlanOptions.DEFAULT_EXPERTS_GROUP
                                    ? ", experts in work-groups of " + base.expertsGroup() : "")
                            + (base.downTwoRows() ? ", down two rows a work-group" : ""));

            // (1) prompt processing, token by token through the block graphs
            int pos = 0;
            int token = 1;
            long p0 = System.nanoTime();
            for (int i = 0; i < prompt; i++) {
                plan.step((token + 7919 * i) % c.vocabSize(), pos++, i == prompt - 1);
            }
            double promptSec = (System.nanoTime() - p0) / 1e9;
            System.out.printf("prompt: %d tokens in %.3f s = %.1f tokens/s (token by token, decode graphs)%n", prompt,
                    promptSec, prompt / promptSec);

            // (1b) the same prompt batched (PrefillGraphs, chunks of the plan's batch), rewriting the same cache rows;
            //      (the plan compiled the prefill kernels and bound their buffers when it was made)
            int[] ids = new int[prompt];
            for (int i = 0; i < prompt; i++) {
                ids[i] = (token + 7919 * i) % c.vocabSize();
            }
            if (plan.batched() && prompt > 1) {
                long w0 = System.nanoTime();
                plan.prefill(ids, 0, Math.min(2, prompt), 0);
                plan.prefillArgmax(0);
                double bind = (System.nanoTime() - w0) / 1e9;
                long b0 = System.nanoTime();
                int last = 0;
                for (int from = 0; from < prompt; from += plan.batchTokens()) {
                    last = Math.min(plan.batchTokens(), prompt - from);
                    plan.prefill(ids, from, last, from);
                }
                plan.prefillArgmax(last - 1);
                double batchSec = (System.nanoTime() - b0) / 1e9;
                System.out.printf("prompt batched: %d tokens in %.3f s = %.1f tokens/s (chunks of %d; %.1fx token by token; "
                        + "a first 2-token batch %.2f s)%n", prompt, batchSec, prompt / batchSec, plan.batchTokens(),
                        promptSec / batchSec, bind);
                if (!Boolean.getBoolean("dsv3.bench.noProfile")) {
                    profilePrefill(plan, ids, Math.min(prompt, plan.batchTokens()));
                }
            }

            // (2) greedy decode, no profiler
            token = plan.buffers.argmax.get(0);
            double[] perToken = new double[decode];
            for (int i = 0; i < decode; i++) {
                long s = System.nanoTime();
                token = plan.step(token, pos++, true);
                perToken[i] = (System.nanoTime() - s) / 1e6;
            }
            double[] sorted = perToken.clone();
            Arrays.sort(sorted);
            double mean = Arrays.stream(perToken).average().orElse(0);
            System.out.printf("decode: %d tokens, mean %.3f ms/token (%.1f tokens/s), median %.3f ms, min %.3f ms%n", decode,
                    mean, 1000 / mean, sorted[decode / 2], sorted[0]);

            // (2a) the same at depth: positions depth … depth + decode − 1
            if (depth > 0) {
                int at = depth;
                long d0 = System.nanoTime();
                for (int i = 0; i < decode; i++) {
                    token = plan.step(token, at++, true);
                }
                double ms = (System.nanoTime() - d0) / 1e6 / decode;
                System.out.printf("decode at depth %d: %d tokens, mean %.3f ms/token (%.1f tokens/s)%n", depth, decode, ms,
                        1000 / ms);
                // (2b) the prompt batched at positions depth … depth + prompt − 1: ppN with DEPTH tokens of context
                if (plan.batched() && prompt > 1) {
                    long b0 = System.nanoTime();
                    int last = 0;
                    for (int from = 0; from < prompt; from += plan.batchTokens()) {
                        last = Math.min(plan.batchTokens(), prompt - from);
                        plan.prefill(ids, from, last, depth + from);
                    }
                    plan.prefillArgmax(last - 1);
                    double batchSec = (System.nanoTime() - b0) / 1e9;
                    System.out.printf("prompt batched at depth %d: %d tokens in %.3f s = %.1f tokens/s%n", depth, prompt,
                            batchSec, prompt / batchSec);
                }
            }

            // (2b) where the host time goes: Java stack samples of the same loop
            String sampled = "";
            if (Boolean.parseBoolean(System.getProperty("dsv3.bench.sample", "true"))) {
                try (StackSampler sampler = new StackSampler(Thread.currentThread(), 500)) {
                    for (int i = 0; i < decode; i++) {
                        token = plan.step(token, pos++, true);
                    }
                    sampled = sampler.report(Integer.getInteger("dsv3.bench.sampleLines", 45));
                }
            }

            // (3) the same with the profiler: kernel time per task
            if (Boolean.getBoolean("dsv3.bench.noProfile")) {
                System.out.print(sampled);
                backend.close();
                return;
            }
            plan.plan.withProfiler(ProfilerMode.SILENT);
            Map<String, long[]> perTask = new TreeMap<>();
            int profiled = Math.min(decode, 16);
            long wall = 0;
            for (int i = 0; i < profiled; i++) {
                long s = System.nanoTime();
                plan.buffers.step.set(0, token);
                plan.buffers.step.set(1, pos++);
                for (int g = 0; g < plan.graphs.graphs.size(); g++) {
                    TornadoExecutionResult r = plan.plan.withGraph(g).execute();
                    if (i == profiled - 1) {
                        ProfilerLog.addAll(r.getProfilerResult().getProfileLog(), perTask);
                    }
                }
                token = plan.buffers.argmax.get(0);
                wall += System.nanoTime() - s;
            }
            plan.plan.withoutProfiler();
            report(perTask, plan, m, c, profiled, wall / 1e6 / profiled, mean);
            System.out.print(sampled);
            backend.close();
        }
    }

    /** Kernel time per kind of prefill task for one batch of {@code n} tokens at position 0 (TornadoVM's profiler). */
    private static void profilePrefill(DecodePlan plan, int[] ids, int n) {
        plan.prefill(ids, 0, n, 0);
        plan.plan.withProfiler(ProfilerMode.SILENT);
        Map<String, long[]> perTask = new TreeMap<>();
        int first = plan.graphs.graphs.size();
        for (int g = 0; g < plan.prefill.graphs.size() - 1; g++) {
            ProfilerLog.addAll(plan.plan.withGraph(first + g).execute().getProfilerResult().getProfileLog(), perTask);
        }
        plan.plan.withoutProfiler();
        Map<String, Double> kinds = new TreeMap<>();
        Map<String, Double> flops = new TreeMap<>();
        double total = 0;
        for (Map.Entry<String, long[]> e : perTask.entrySet()) {
            String task = e.getKey().substring(e.getKey().indexOf('.') + 1);
            String kind = task.contains("_") ? task.substring(task.indexOf('_') + 1) : task;
            double ns = e.getValue()[0] / (double) e.getValue()[1];
            kinds.merge(kind, ns, Double::sum);
            flops.merge(kind, (double) plan.prefill.flopsPerToken.getOrDefault(e.getKey(), 0L) * n, Double::sum);
            total += ns;
        }
        System.out.printf("prefill profiler, one batch of %d tokens: kernels %.1f ms (%.1f tokens/s of kernel time)%n", n,
                total / 1e6, n / (total / 1e9));
        List<String> order = new ArrayList<>(kinds.keySet());
        order.sort((a, b) -> Double.compare(kinds.get(b), kinds.get(a)));
        for (String kind : order) {
            // GFLOP/s of the matrix products (2 flops a multiply–add; routed experts: the chosen ones only)
            double f = flops.get(kind);
            System.out.printf("  %-8s %10.1f ms %5.1f %%%s%n", kind, kinds.get(kind) / 1e6, 100 * kinds.get(kind) / total,
                    f > 0 ? String.format(" %9.1f GFLOP/s", f / kinds.get(kind)) : "");
        }
    }

    private static void report(Map<String, long[]> perTask, DecodePlan plan, DeviceModel m, DeepSeekConfig c, int tokens,
                               double profiledMsPerToken, double plainMsPerToken) {
        Map<String, Long> bytes = plan.graphs.weightBytes;
        Map<String, double[]> kinds = new LinkedHashMap<>();
        double kernelNsPerToken = 0;
        for (Map.Entry<String, long[]> e : perTask.entrySet()) {
            String task = e.getKey().substring(e.getKey().indexOf('.') + 1);
            String kind = task.contains("_") ? task.substring(task.indexOf('_') + 1) : task;
            double ns = e.getValue()[0] / (double) e.getValue()[1];
            double[] k = kinds.computeIfAbsent(kind, x -> new double[3]);
            k[0] += ns;
            k[1] += bytes.getOrDefault(e.getKey(), 0L);
            k[2]++;
            kernelNsPerToken += ns;
        }
        System.out.printf("profiler (%d profiled tokens, %.3f ms/token with the profiler on):%n", tokens, profiledMsPerToken);
        System.out.printf("  %-10s %7s %10s %10s %12s %9s%n", "kernel", "count", "µs/token", "µs each", "MiB/token", "GB/s");
        List<String> order = new ArrayList<>(kinds.keySet());
        order.sort((a, b) -> Double.compare(kinds.get(b)[0], kinds.get(a)[0]));
        for (String kind : order) {
            double[] k = kinds.get(kind);
            double us = k[0] / 1e3;
            System.out.printf("  %-10s %7d %10.1f %10.2f %12.2f %9s%n", kind, (int) k[2], us, us / k[2], k[1] / (1 << 20),
                    k[1] > 0 ? String.format("%.0f", k[1] / (k[0] / 1e9) / 1e9) : "-");
        }
        double kernelMs = kernelNsPerToken / 1e6;
        System.out.printf("  kernels total %.3f ms/token: %.0f GB/s of weights (%.2f GiB/token)%n", kernelMs,
                m.bytesPerToken() / (kernelMs / 1e3) / 1e9, m.bytesPerToken() / (double) (1L << 30));
        System.out.printf("host overhead ≈ %.3f ms/token of %.3f ms (%.0f %%): decode wall time without profiler minus "
                + "profiled kernel time; %d executes and %d launches per token%n", plainMsPerToken - kernelMs, plainMsPerToken,
                100 * (plainMsPerToken - kernelMs) / plainMsPerToken, plan.graphs.graphs.size(), plan.graphs.tasksPerToken);
    }
}
