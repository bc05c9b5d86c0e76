package org.dsv3.tests.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.openjdk.jmh.infra.Blackhole;

/**
 * {@link Int8DotBenchmark}'s three methods timed by the calling thread's CPU time instead of the
 * wall clock: on a machine whose cores are shared with other work, JMH's wall-clock scores swing by
 * more than the differences being measured, while the CPU time an operation takes stays close to
 * what it takes on an idle core. Each method is warmed up for 1.5 CPU-seconds, twice over, then timed in
 * interleaved rounds of at least 0.2 CPU-seconds; the median, minimum and maximum per operation are
 * printed. Run with {@code tests/cputime.sh} (arguments: weight types, default Q8_0).
 */
public final class Int8DotCpuTime {
    private static final long WARMUP_NS = 1_500_000_000L;
    private static final long ROUND_NS = 200_000_000L;
    private static final int ROUNDS = 9;

    private Int8DotCpuTime() {
    }

    public static void main(String[] args) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Blackhole bh = new Blackhole("Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");
        for (String type : args.length > 0 ? args : new String[] {"Q8_0"}) {
            Int8DotBenchmark b = new Int8DotBenchmark();
            b.type = type;
            b.setup();
            Map<String, Runnable> ops = new LinkedHashMap<>();
            ops.put("exact", () -> b.exact(bh));
            ops.put("int8", () -> b.int8(bh));
            ops.put("roundOnly", () -> bh.consume(b.roundOnly()));
            Map<String, double[]> perOp = new LinkedHashMap<>();
            // twice over: the later ops' first calls load vector classes that deoptimize the earlier ones' code
            for (int pass = 0; pass < 2; pass++) {
                for (Map.Entry<String, Runnable> e : ops.entrySet()) {
                    long end = mx.getCurrentThreadCpuTime() + WARMUP_NS;
                    while (mx.getCurrentThreadCpuTime() < end) {
                        e.getValue().run();
                    }
                    perOp.put(e.getKey(), new double[ROUNDS]);
                }
            }
            for (int r = 0; r < ROUNDS; r++) {
                for (Map.Entry<String, Runnable> e : ops.entrySet()) {
                    long t0 = mx.getCurrentThreadCpuTime();
                    long t;
                    int n = 0;
                    do {
                        e.getValue().run();
                        n++;
                        t = mx.getCurrentThreadCpuTime();
                    } while (t - t0 < ROUND_NS);
                    perOp.get(e.getKey())[r] = (t - t0) / 1e3 / n;
                }
            }
            double bytes = Int8DotBenchmark.ROWS * (double) org.dsv3.model.quant.GgmlType.valueOf(type).bytesFor(Int8DotBenchmark.COLS);
            for (Map.Entry<String, double[]> e : perOp.entrySet()) {
                double[] v = e.getValue().clone();
                Arrays.sort(v);
                System.out.printf("%s %-10s median %8.1f us of CPU per op (min %.1f, max %.1f)%s%n", type, e.getKey(),
                        v[ROUNDS / 2], v[0], v[ROUNDS - 1], e.getKey().equals("roundOnly") ? ""
                                : String.format(" = %.2f GB/s of weights per CPU-second", bytes / (v[ROUNDS / 2] * 1e3)));
            }
            b.tearDown();
        }
    }
}
