package org.dsv3.tests.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link DecodeStepBenchmark} on one thread (the caller does all the work), timed by that thread's
 * CPU time, for a shared machine where wall-clock scores swing more than the differences measured
 * (see {@link Int8DotCpuTime}). Arguments: recipe, vocabulary size, then the devices to compare
 * (default {@code Q4_K_M 102400 cpu cpu:exact}). The devices are timed in interleaved rounds of at
 * least 0.5 CPU-seconds after 3 CPU-seconds of warm-up each; prints median, min and max CPU time
 * per decoded token (context 128).
 */
public final class DecodeStepCpuTime {
    private static final long WARMUP_NS = 3_000_000_000L;
    private static final long ROUND_NS = 500_000_000L;
    private static final int ROUNDS = 7;

    private DecodeStepCpuTime() {
    }

    public static void main(String[] args) throws IOException {
        String recipe = args.length > 0 ? args[0] : "Q4_K_M";
        int vocab = args.length > 1 ? Integer.parseInt(args[1]) : 102400;
        List<String> devices = args.length > 2 ? Arrays.asList(args).subList(2, args.length) : List.of("cpu", "cpu:exact");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<DecodeStepBenchmark> benches = new ArrayList<>();
        for (String device : devices) {
            DecodeStepBenchmark b = new DecodeStepBenchmark();
            b.context = 128;
            b.threads = 1;
            b.recipe = recipe;
            b.vocab = vocab;
            b.device = device;
            b.setup();
            long end = mx.getCurrentThreadCpuTime() + WARMUP_NS;
            while (mx.getCurrentThreadCpuTime() < end) {
                b.decodeOneToken();
            }
            benches.add(b);
        }
        double[][] perToken = new double[devices.size()][ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            for (int i = 0; i < benches.size(); i++) {
                long t0 = mx.getCurrentThreadCpuTime();
                long t;
                int n = 0;
                do {
                    benches.get(i).decodeOneToken();
                    n++;
                    t = mx.getCurrentThreadCpuTime();
                } while (t - t0 < ROUND_NS);
                perToken[i][r] = (t - t0) / 1e6 / n;
            }
        }
        for (int i = 0; i < benches.size(); i++) {
            double[] v = perToken[i].clone();
            Arrays.sort(v);
            System.out.printf("%s vocab %d %-10s median %7.2f ms of CPU per token (min %.2f, max %.2f)%n", recipe, vocab,
                    devices.get(i), v[ROUNDS / 2], v[0], v[ROUNDS - 1]);
            benches.get(i).tearDown();
        }
    }
}
