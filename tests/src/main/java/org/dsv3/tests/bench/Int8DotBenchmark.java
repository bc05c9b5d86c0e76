package org.dsv3.tests.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.dsv3.cpu.kernels.Q8Blocks;
import org.dsv3.cpu.kernels.VectorDot;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decode's matrix–vector product over a V2-Lite expert matrix (1408 × 2048) on one core, three
 * ways on the same weights: the float32 fused dot ({@code exact}), the integer dot with the
 * activations rounded to 8-bit blocks once per product, the rounding included ({@code int8}), and
 * the rounding alone ({@code roundOnly}), for each weight type with an integer kernel. Weight
 * GB/s = 1408 · rowBytes · ops/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class Int8DotBenchmark {
    /** Rows of the product: 1408 (a V2-Lite expert, in cache) unless {@code -Ddsv3.bench.rows=N}, e.g. 65536 for rows streamed from memory (beyond L3). */
    static final int ROWS = Integer.getInteger("dsv3.bench.rows", 1408);
    static final int COLS = 2048;

    @Param({"Q8_0", "Q5_0", "Q4_K", "Q6_K"})
    public String type;

    private Arena arena;
    private MemorySegment weights;
    private long rowBytes;
    private GgmlType t;
    private final float[] x = new float[COLS];
    private final float[] out = new float[ROWS];

    @Setup
    public void setup() {
        t = GgmlType.valueOf(type);
        rowBytes = t.bytesFor(COLS);
        arena = Arena.ofShared();
        weights = arena.allocate(rowBytes * ROWS, 64);
        SplittableRandom rnd = new SplittableRandom(42);
        float[] row = new float[COLS];
        Quantizer q = Quantizer.of(t);
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < COLS; i++) {
                row[i] = (float) rnd.nextGaussian() * 0.02f;
            }
            q.quantize(row, 0, COLS, weights, r * rowBytes);
        }
        for (int i = 0; i < COLS; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public void exact(Blackhole bh) {
        VectorDot.dotRows(t, weights, 0, rowBytes, ROWS, x, 0, COLS, out, 0);
        bh.consume(out);
    }

    @Benchmark
    public void int8(Blackhole bh) {
        Q8Blocks qx = Q8Blocks.of(x, 0, COLS, 1, COLS);
        VectorDot.dotQ8Rows(t, weights, 0, rowBytes, ROWS, qx, 0, COLS, out, 0);
        bh.consume(out);
    }

    @Benchmark
    public Q8Blocks roundOnly() {
        return Q8Blocks.of(x, 0, COLS, 1, COLS);
    }
}
