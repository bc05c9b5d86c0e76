package org.dsv3.tornado.tasks;

import java.util.List;
import java.util.Map;
import org.dsv3.model.backend.StepProfile;
import org.dsv3.model.backend.StepProfiler;

/**
 * Decode steps of the open session under TornadoVM's profiler: the device time of every task of a token
 * ({@link ProfilerLog}), and the weight bytes the tasks read ({@link DecodeGraphs#weightBytes}). The kernel time is
 * reported only when the profiler timed every task of the step in every token; with CUDA graphs TornadoVM may
 * replay a graph without timing its kernels one by one, and then it is unknown (NaN), not a partial sum.
 */
final class TornadoStepProfiler implements StepProfiler {
    private final TornadoBackend backend;

    TornadoStepProfiler(TornadoBackend backend) {
        this.backend = backend;
    }

    @Override
    public StepProfile profile(int tokens, Runnable decode) {
        if (tokens < 1) {
            throw new IllegalArgumentException("profile at least one token, got " + tokens);
        }
        DecodePlan plan = backend.openPlan();
        long executes = plan.executes();
        long t0 = System.nanoTime();
        plan.startProfiler();
        Map<String, long[]> times;
        try {
            decode.run();
        } finally {
            times = plan.stopProfiler();
        }
        double wallNs = System.nanoTime() - t0;
        long ran = plan.executes() - executes;
        int perToken = plan.graphs.graphs.size();
        if (ran != (long) tokens * perToken) {
            throw new IllegalArgumentException("the profiled pass ran " + ran + " graph executions, not " + tokens
                    + " one-token decode steps of " + perToken + " graphs each");
        }
        return new StepProfile(tokens, kernelNsPerToken(plan.graphs.tasks, times, tokens), wallNs / tokens,
                weightBytesPerToken(plan.graphs));
    }

    /** Σ kernel time / tokens when every task was timed in every token (with a time > 0); NaN otherwise. */
    static double kernelNsPerToken(List<String> tasks, Map<String, long[]> times, int tokens) {
        long sum = 0;
        for (String task : tasks) {
            long[] t = times.get(task);
            if (t == null || t[1] != tokens || t[0] <= 0) {
                return Double.NaN;
            }
            sum += t[0];
        }
        return sum / (double) tokens;
    }

    /** The weight bytes of every task of one token. */
    static long weightBytesPerToken(DecodeGraphs graphs) {
        return graphs.weightBytes.values().stream().mapToLong(Long::longValue).sum();
    }
}
