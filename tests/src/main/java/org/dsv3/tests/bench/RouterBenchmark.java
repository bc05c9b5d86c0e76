package org.dsv3.tests.bench;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dsv3.model.arch.Router;
import org.dsv3.model.config.Gating;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing one token (docs/architecture.md §5.3) from its router logits: DeepSeek-V3 (256 experts,
 * sigmoid, selection bias, 8 groups / 4 kept, top-8), Kimi-K2 (384, no groups) and V2-Lite (64,
 * softmax, top-6). One operation routes one token.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RouterBenchmark {
    @Param({"v3", "kimi-k2", "v2-lite"})
    public String model;

    private Router router;
    private float[][] logits;
    private int next;

    @Setup
    public void setup() {
        SplittableRandom rnd = new SplittableRandom(7);
        int experts = switch (model) {
            case "v3" -> 256;
            case "kimi-k2" -> 384;
            default -> 64;
        };
        float[] bias = new float[experts];
        for (int i = 0; i < experts; i++) {
            bias[i] = (float) rnd.nextGaussian() * 0.5f - 1f; // negative biases, as in real V3 files
        }
        router = switch (model) {
            case "v3" -> new Router(256, Gating.SIGMOID, bias, 8, 4, Router.GroupScore.TOP2_SUM, 8, true, 2.5f);
            case "kimi-k2" -> new Router(384, Gating.SIGMOID, bias, 1, 1, Router.GroupScore.TOP2_SUM, 8, true, 2.827f);
            default -> new Router(64, Gating.SOFTMAX, null, 1, 1, Router.GroupScore.MAX, 6, false, 1f);
        };
        logits = new float[64][experts];
        for (float[] l : logits) {
            for (int i = 0; i < experts; i++) {
                l[i] = (float) rnd.nextGaussian();
            }
        }
    }

    @Benchmark
    public Router.Choice route() {
        next = (next + 1) & 63;
        return router.choose(logits[next], 0);
    }
}
