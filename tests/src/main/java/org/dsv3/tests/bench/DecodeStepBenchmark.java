package org.dsv3.tests.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.Backends;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.synth.QuantRecipe;
import org.dsv3.model.synth.SyntheticArchitecture;
import org.dsv3.model.synth.SyntheticModelWriter;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decode step of a two-block DeepSeek-V2-Lite-size model (one dense, one MoE block; real
 * dimensions, random weights of a quantization recipe, a vocabulary of {@code vocab} tokens) at a
 * given context length: MLA attention over the latent cache of {@code context} positions, the
 * router, six experts and the shared ones, and the output head; on the CPU device {@code device}
 * ({@code cpu} or {@code cpu:exact}). The cache is rolled back after each step so the context
 * stays fixed.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DecodeStepBenchmark {
    @Param({"128", "2048"})
    public int context;

    @Param({"0"})
    public int threads;

    @Param({"Q8_0"})
    public String recipe;

    @Param({"300"})
    public int vocab;

    @Param({"cpu"})
    public String device;

    private Path file;
    private GgufModel model;
    private InferenceBackend backend;
    private InferenceSession session;
    private final int[] token = {5};

    @Setup(Level.Trial)
    public void setup() throws IOException {
        file = Files.createTempFile("dsv3-bench-lite2", ".gguf");
        new SyntheticModelWriter(SyntheticArchitecture.V2_LITE, 2, QuantRecipe.valueOf(recipe), 3, vocab).write(file);
        model = GgufModel.open(file);
        DeepSeekConfig c = DeepSeekConfig.fromGguf(model, GroupRouting.AUTO);
        String detail = device.startsWith("cpu:") ? device.substring(4) : "";
        backend = Backends.provider("cpu").load(model, c, new BackendOptions(threads, detail));
        session = backend.newSession(SessionOptions.defaults());
        int[] prompt = new int[context];
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < context; i++) {
            prompt[i] = 2 + rnd.nextInt(256);
        }
        session.forward(prompt, Logits.LAST_POSITION);
    }

    @Benchmark
    public float[] decodeOneToken() {
        float[] logits = session.forward(token, Logits.LAST_POSITION);
        session.truncate(context);
        return logits;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        session.close();
        backend.close();
        model.close();
        Files.deleteIfExists(file);
    }
}
