package org.dsv3.tests.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * {@link BatchMatMulBenchmark#product()} timed by the calling thread's CPU time (see
 * {@link Int8DotCpuTime} for why): per weight type, 3 CPU-seconds of warm-up, then 7 rounds of at
 * least 1 CPU-second; prints the median, minimum and maximum CPU time per product and the median's
 * GFLOP/s. Run with {@code tests/cputime.sh BatchMatMulCpuTime [TYPE...] [--tokens=N]} (default
 * Q8_0 Q4_K, 512 tokens).
 */
public final class BatchMatMulCpuTime {
    private static final long WARMUP_NS = 3_000_000_000L;
    private static final long ROUND_NS = 1_000_000_000L;
    private static final int ROUNDS = 7;

    private BatchMatMulCpuTime() {
    }

    public static void main(String[] args) {
        int tokens = 512;
        java.util.List<String> types = new java.util.ArrayList<>();
        for (String a : args) {
            if (a.startsWith("--tokens=")) {
                tokens = Integer.parseInt(a.substring("--tokens=".length()));
            } else {
                types.add(a);
            }
        }
        if (types.isEmpty()) {
            types = java.util.List.of("Q8_0", "Q4_K");
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        for (String type : types) {
            BatchMatMulBenchmark b = new BatchMatMulBenchmark();
            b.type = type;
            b.tokens = tokens;
            b.setup();
            long end = mx.getCurrentThreadCpuTime() + WARMUP_NS;
            while (mx.getCurrentThreadCpuTime() < end) {
                b.product();
            }
            double[] ms = new double[ROUNDS];
            for (int r = 0; r < ROUNDS; r++) {
                long t0 = mx.getCurrentThreadCpuTime();
                long t;
                int n = 0;
                do {
                    b.product();
                    n++;
                    t = mx.getCurrentThreadCpuTime();
                } while (t - t0 < ROUND_NS);
                ms[r] = (t - t0) / 1e6 / n;
            }
            Arrays.sort(ms);
            double median = ms[ROUNDS / 2];
            System.out.printf("%s %d×%d × %d tokens: median %7.2f ms of CPU per product (min %.2f, max %.2f) = %.1f GFLOP/s%n",
                    type, BatchMatMulBenchmark.ROWS, BatchMatMulBenchmark.COLS, tokens, median, ms[0], ms[ROUNDS - 1],
                    b.flops() / (median * 1e6));
            b.tearDown();
        }
    }
}
