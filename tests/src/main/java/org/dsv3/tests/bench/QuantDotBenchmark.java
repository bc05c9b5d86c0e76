package org.dsv3.tests.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
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
 * The fused quantized row·vector dot product of each type on one core: one operation is one
 * matrix–vector product over a V2-Lite expert matrix (1408 rows × 2048 columns), about 2.9 M
 * weights; weights in GB/s = rows·rowBytes × ops/s. The matrix (1.5–11 MB) is larger than the L2
 * cache, as a model's weights are.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class QuantDotBenchmark {
    static final int ROWS = 1408;
    static final int COLS = 2048;

    @Param({"Q8_0", "Q4_K", "Q5_K", "Q6_K", "Q5_0", "Q4_0", "F16", "BF16", "F32"})
    public String type;

    private Arena arena;
    private MemorySegment weights;
    private long rowBytes;
    private GgmlType t;
    private final float[] x = new float[COLS];

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
    public void matvec(Blackhole bh) {
        float acc = 0;
        for (int r = 0; r < ROWS; r++) {
            acc += VectorDot.dot(t, weights, r * rowBytes, x, 0, COLS);
        }
        bh.consume(acc);
    }

    @Benchmark
    public void dequantizeRows(Blackhole bh) {
        float[] out = new float[COLS];
        for (int r = 0; r < ROWS; r++) {
            VectorDot.dequantizeRow(t, weights, r * rowBytes, out, 0, COLS);
        }
        bh.consume(out);
    }
}
