package org.dsv3.runner.bench;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;

/**
 * Runs llama-bench's tests on a loaded backend, each on a fresh session: prompt processing of
 * {@code p} tokens in batches ({@code ppP}), generation of {@code n} tokens one at a time
 * ({@code tgN}), or both in a row ({@code ppP+tgN}), after {@code d} tokens of context that are
 * computed first and not timed ({@code @ dD}). Token ids are random (seeded), as in llama-bench;
 * what is timed is the forward pass, not sampling (the next token is the argmax).
 */
public final class ModelBenchmark {
    /** What the derived figures need to know about the model and the machine. */
    public record Context(long activeParameters, long weightBytesPerToken, int vocab, int threads, double machineBandwidth) {
    }

    /** The cache type of every benchmark session (llama-bench's {@code type_k}/{@code type_v}). */
    public static final KvCacheType CACHE_TYPE = KvCacheType.F32;

    private final InferenceBackend backend;
    private final Context ctx;
    private final int repetitions;
    private final SplittableRandom rnd = new SplittableRandom(1234);

    public ModelBenchmark(InferenceBackend backend, Context ctx, int repetitions) {
        this.backend = backend;
        this.ctx = ctx;
        this.repetitions = repetitions;
    }

    /** Pages the weights in and lets the JIT compile the kernels: a short prompt and a few tokens. */
    public void warmUp(int promptTokens) {
        int prompt = Math.max(1, Math.min(promptTokens, 64));
        try (InferenceSession s = backend.newSession(new SessionOptions(CACHE_TYPE, prompt + 4))) {
            s.forward(randomTokens(prompt), Logits.LAST_POSITION);
            for (int i = 0; i < 4; i++) {
                s.forward(randomTokens(1), Logits.LAST_POSITION);
            }
        }
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
                    token = argmax(s.forward(new int[] {token}, Logits.LAST_POSITION));
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
        if (test.nPrompt() == 0) {
            gbps = ctx.weightBytesPerToken() * meanTs / 1e9;
            fraction = ctx.machineBandwidth() > 0 ? gbps * 1e9 / ctx.machineBandwidth() : Double.NaN;
        } else if (test.nGen() == 0) {
            gflops = 2.0 * ctx.activeParameters() * meanTs / 1e9;
        }
        return new BenchResult(test, backend.device(), ctx.threads(), batch, samples, Stats.median(first), gbps, fraction,
                gflops, ResidentMemory.bytes(), perToken);
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
