package org.dsv3.runner.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.backend.StepProfile;
import org.dsv3.model.backend.StepProfiler;

/**
 * Runs llama-bench's tests on a loaded backend, each on a fresh session: prompt processing of
 * {@code p} tokens in batches ({@code ppP}), generation of {@code n} tokens one at a time
 * ({@code tgN}), or both in a row ({@code ppP+tgN}), after {@code d} tokens of context that are
 * computed first and not timed ({@code @ dD}). Token ids are random (seeded), as in llama-bench;
 * what is timed is the forward pass, not sampling (the next token is the argmax).
 *
 * <p>On a backend with a device profiler ({@link InferenceBackend#profiler()}) a {@code tgN} test then runs once
 * more, profiled, for at most {@link #PROFILED_TOKENS} tokens after the same depth: the profiler slows the steps
 * down, so tokens/s come from the plain repetitions and only the kernel time and weight bytes per token from this
 * pass ({@link BenchResult#profile()}).
 */
public final class ModelBenchmark {
    /** What the derived figures need to know about the model and the machine. */
    public record Context(long activeParameters, long weightBytesPerToken, int vocab, int threads, double machineBandwidth) {
    }

    /** The cache type of every benchmark session (llama-bench's {@code type_k}/{@code type_v}). */
    public static final KvCacheType CACHE_TYPE = KvCacheType.F32;

    /** Most tokens of the profiled pass of a {@code tgN} test. */
    public static final int PROFILED_TOKENS = 16;

    private final InferenceBackend backend;
    private final Context ctx;
    private final int repetitions;
    /** The backend's profiler, or null: none, or profiling not wanted. */
    private final StepProfiler profiler;
    private final SplittableRandom rnd = new SplittableRandom(1234);

    /** With {@code profile}, generation tests also get a profiled pass where the backend has a profiler. */
    public ModelBenchmark(InferenceBackend backend, Context ctx, int repetitions, boolean profile) {
        this.backend = backend;
        this.ctx = ctx;
        this.repetitions = repetitions;
        this.profiler = profile ? backend.profiler().orElse(null) : null;
    }

    /** Without profiled passes. */
    public ModelBenchmark(InferenceBackend backend, Context ctx, int repetitions) {
        this(backend, ctx, repetitions, false);
    }

    /**
     * Pages the weights in and lets the JIT compile the kernels: a short prompt, then single tokens
     * until the JIT has finished compiling ({@link #jitSettled}). Four tokens alone left the C1 and
     * C2 compiler threads busy through much of the first timed repetition (perf, 27-layer file, 2
     * threads: 13 % of the samples), competing with the compute threads for the cores.
     */
    public void warmUp(int promptTokens) {
        int prompt = Math.max(1, Math.min(promptTokens, 64));
        try (InferenceSession s = backend.newSession(new SessionOptions(CACHE_TYPE, prompt + MAX_WARM_TOKENS))) {
            s.forward(randomTokens(prompt), Logits.LAST_POSITION);
            long end = System.nanoTime() + MAX_WARM_NS;
            long[] compiled = new long[MAX_WARM_TOKENS];
            for (int i = 0; i < MAX_WARM_TOKENS && System.nanoTime() < end; i++) {
                s.forward(randomTokens(1), Logits.LAST_POSITION);
                compiled[i] = jitMillis();
                if (jitSettled(compiled, i)) {
                    break;
                }
            }
        }
    }

    /** Tokens the warm-up runs at most, and at least; its time at most. */
    private static final int MAX_WARM_TOKENS = 64;
    private static final int MIN_WARM_TOKENS = 4;
    private static final long MAX_WARM_NS = 30_000_000_000L;

    /**
     * Whether the JIT's total compilation time has not grown over the last 3 tokens (after at least
     * {@link #MIN_WARM_TOKENS}); always true where the JVM does not report it.
     */
    static boolean jitSettled(long[] compiledMillis, int last) {
        if (compiledMillis[last] < 0) {
            return last + 1 >= MIN_WARM_TOKENS;
        }
        return last + 1 >= MIN_WARM_TOKENS && compiledMillis[last] == compiledMillis[last - 3];
    }

    private static long jitMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** Runs {@code test} {@code repetitions} times, prompts in forward steps of at most {@code batch} tokens. */
    public BenchResult run(BenchTest test, int batch) {
        long[] samples = new long[repetitions];
        double[] first = new double[repetitions];
        // sized to the test, as llama-bench sizes its context (depth + prompt + generated)
        SessionOptions options = new SessionOptions(CACHE_TYPE, test.contextNeeded());
        ProcessCounters start = ProcessCounters.now();
        for (int r = 0; r < repetitions; r++) {
            try (InferenceSession s = backend.newSession(options)) {
                if (test.depth() > 0) {
                    prompt(s, randomTokens(test.depth()), batch);
                }
                int[] prompt = randomTokens(test.nPrompt());
                int token = rnd.nextInt(ctx.vocab());
                long t0 = System.nanoTime();
                if (test.nPrompt() > 0) {
                    token = argmax(prompt(s, prompt, batch));
                    first[r] = (System.nanoTime() - t0) / 1e6;
                }
                for (int i = 0; i < test.nGen(); i++) {
                    token = generate(s, token);
                    if (i == 0 && test.nPrompt() == 0) {
                        first[r] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                samples[r] = Math.max(1, System.nanoTime() - t0);
            }
        }
        ProcessCounters.PerToken perToken = ProcessCounters.now().since(start, (long) test.timedTokens() * repetitions);
        double meanTs = Arrays.stream(samples).mapToDouble(ns -> test.timedTokens() * 1e9 / ns).average().orElse(0);
        double gbps = Double.NaN;
        double fraction = Double.NaN;
        double gflops = Double.NaN;
        StepProfile profile = null;
        if (test.nPrompt() == 0) {
            profile = profiler == null ? null : profile(test, batch, options);
            gbps = ctx.weightBytesPerToken() * meanTs / 1e9;
            fraction = ctx.machineBandwidth() > 0 ? gbps * 1e9 / ctx.machineBandwidth() : Double.NaN;
        } else if (test.nGen() == 0) {
            gflops = 2.0 * ctx.activeParameters() * meanTs / 1e9;
        }
        return new BenchResult(test, backend.device(), ctx.threads(), batch, samples, Stats.median(first), gbps, fraction,
                gflops, ResidentMemory.bytes(), perToken, profile);
    }

    /** One generation step, as the timed repetitions run it: the next token is the argmax of the logits. */
    private static int generate(InferenceSession s, int token) {
        return argmax(s.forward(new int[] {token}, Logits.LAST_POSITION));
    }

    /** The profiled pass of a {@code tgN} test: a fresh session, the depth untimed, then up to {@link #PROFILED_TOKENS} steps. */
    private StepProfile profile(BenchTest test, int batch, SessionOptions options) {
        int tokens = Math.min(test.nGen(), PROFILED_TOKENS);
        try (InferenceSession s = backend.newSession(options)) {
            if (test.depth() > 0) {
                prompt(s, randomTokens(test.depth()), batch);
            }
            int[] token = {rnd.nextInt(ctx.vocab())};
            return profiler.profile(tokens, () -> {
                for (int i = 0; i < tokens; i++) {
                    token[0] = generate(s, token[0]);
                }
            });
        }
    }

    /** Feeds {@code tokens} in forward steps of at most {@code batch}; the last position's logits. */
    private static float[] prompt(InferenceSession s, int[] tokens, int batch) {
        float[] logits = null;
        for (int from = 0; from < tokens.length; from += batch) {
            logits = s.forward(Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + batch)), Logits.LAST_POSITION);
        }
        return logits;
    }

    private int[] randomTokens(int n) {
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = rnd.nextInt(ctx.vocab());
        }
        return t;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
