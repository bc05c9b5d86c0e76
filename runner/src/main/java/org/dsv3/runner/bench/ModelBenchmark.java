package org.dsv3.runner.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;

/**
 * Runs llama-bench's two tests on a loaded backend: prompt processing of {@code p} tokens in one
 * batch ({@code ppP}) and generation of {@code n} tokens one at a time from an empty cache
 * ({@code tgN}), each repeated and reported as the median tokens/s. Token ids are random (seeded),
 * as in llama-bench; what is timed is the forward pass, not sampling.
 */
public final class ModelBenchmark {
    /** What the decode-bandwidth figure needs to know about the model and the machine. */
    public record Context(String model, long modelBytes, long parameters, long activeParameters, long weightBytesPerToken,
                          int vocab, String backend, int threads, double machineBandwidth) {
    }

    private final InferenceBackend backend;
    private final Context ctx;
    private final int repetitions;

    public ModelBenchmark(InferenceBackend backend, Context ctx, int repetitions) {
        this.backend = backend;
        this.ctx = ctx;
        this.repetitions = repetitions;
    }

    public List<BenchResult> run(int promptTokens, int genTokens) {
        List<BenchResult> out = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(1234);
        // warm-up: page the weights in and let the JIT compile the kernels
        try (InferenceSession s = backend.newSession(SessionOptions.defaults())) {
            s.forward(randomTokens(rnd, Math.min(promptTokens > 0 ? promptTokens : 8, 64)), Logits.LAST_POSITION);
            for (int i = 0; i < 4; i++) {
                s.forward(randomTokens(rnd, 1), Logits.LAST_POSITION);
            }
        }
        if (promptTokens > 0) {
            double[] tps = new double[repetitions];
            double[] ttft = new double[repetitions];
            ProcessCounters start = ProcessCounters.now();
            for (int r = 0; r < repetitions; r++) {
                try (InferenceSession s = backend.newSession(SessionOptions.defaults())) {
                    int[] prompt = randomTokens(rnd, promptTokens);
                    long t0 = System.nanoTime();
                    s.forward(prompt, Logits.LAST_POSITION);
                    long t1 = System.nanoTime();
                    tps[r] = promptTokens / ((t1 - t0) / 1e9);
                    ttft[r] = (t1 - t0) / 1e6;
                }
            }
            double median = Stats.median(tps);
            double gflops = 2.0 * ctx.activeParameters() * median / 1e9;
            out.add(new BenchResult(ctx.model(), ctx.modelBytes(), ctx.parameters(), ctx.backend(), backend.device(),
                    ctx.threads(), "pp" + promptTokens, median, Stats.stddev(tps), Stats.median(ttft), Double.NaN, Double.NaN,
                    gflops, ResidentMemory.bytes(), ProcessCounters.now().since(start, (long) promptTokens * repetitions)));
        }
        if (genTokens > 0) {
            double[] tps = new double[repetitions];
            double[] first = new double[repetitions];
            ProcessCounters start = ProcessCounters.now();
            for (int r = 0; r < repetitions; r++) {
                try (InferenceSession s = backend.newSession(SessionOptions.defaults())) {
                    int token = rnd.nextInt(ctx.vocab());
                    long t0 = System.nanoTime();
                    for (int i = 0; i < genTokens; i++) {
                        float[] logits = s.forward(new int[] {token}, Logits.LAST_POSITION);
                        if (i == 0) {
                            first[r] = (System.nanoTime() - t0) / 1e6;
                        }
                        token = argmax(logits);
                    }
                    tps[r] = genTokens / ((System.nanoTime() - t0) / 1e9);
                }
            }
            double median = Stats.median(tps);
            double gbps = ctx.weightBytesPerToken() * median / 1e9;
            double fraction = ctx.machineBandwidth() > 0 ? gbps * 1e9 / ctx.machineBandwidth() : Double.NaN;
            out.add(new BenchResult(ctx.model(), ctx.modelBytes(), ctx.parameters(), ctx.backend(), backend.device(),
                    ctx.threads(), "tg" + genTokens, median, Stats.stddev(tps), Stats.median(first), gbps, fraction, Double.NaN,
                    ResidentMemory.bytes(), ProcessCounters.now().since(start, (long) genTokens * repetitions)));
        }
        return out;
    }

    private int[] randomTokens(SplittableRandom rnd, int n) {
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
