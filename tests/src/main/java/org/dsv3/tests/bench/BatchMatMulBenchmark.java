package org.dsv3.tests.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dsv3.cpu.MatMul;
import org.dsv3.cpu.WeightMatrix;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.Quantizer;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Prompt processing's batched product on one core: a V2-Lite expert-sized matrix (1408 × 2048) of
 * quantized weights times a batch of {@code tokens} input rows ({@link MatMul#rows}, the serial
 * kernel every batched product runs per chunk of weight rows). One operation is
 * 2 · 1408 · 2048 · tokens floating-point operations ({@link #flops}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class BatchMatMulBenchmark {
    static final int ROWS = 1408;
    static final int COLS = 2048;

    @Param({"Q8_0", "Q4_K"})
    public String type;

    @Param({"512"})
    public int tokens;

    private Arena arena;
    private WeightMatrix w;
    private float[] x;
    private float[] out;

    @Setup
    public void setup() {
        GgmlType t = GgmlType.valueOf(type);
        long rowBytes = t.bytesFor(COLS);
        arena = Arena.ofShared();
        MemorySegment weights = arena.allocate(rowBytes * ROWS, 64);
        SplittableRandom rnd = new SplittableRandom(42);
        float[] row = new float[COLS];
        Quantizer q = Quantizer.of(t);
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < COLS; i++) {
                row[i] = (float) rnd.nextGaussian() * 0.02f;
            }
            q.quantize(row, 0, COLS, weights, r * rowBytes);
        }
        w = new WeightMatrix("bench", t, weights, 0, ROWS, COLS, rowBytes);
        x = new float[tokens * COLS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        out = new float[tokens * ROWS];
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    /** Floating-point operations of one {@link #product()}: a multiply and an add per weight and token. */
    double flops() {
        return 2.0 * ROWS * COLS * tokens;
    }

    @Benchmark
    public float[] product() {
        MatMul.rows(w, 0, ROWS, x, 0, COLS, tokens, out, 0, ROWS);
        return out;
    }
}
