package org.dsv3.runner.bench;

/**
 * One benchmark line, named as llama-bench names its tests ({@code pp512}, {@code tg128}).
 *
 * @param tokensPerSecond median over the repetitions
 * @param stddev          standard deviation of the per-repetition tokens/s
 * @param bandwidthFraction decode only: weight bytes read per second / the measured machine bandwidth (NaN otherwise)
 * @param gflops          prompt processing only: estimated GFLOP/s (2 × active parameters per token)
 * @param perToken        page faults and process CPU time per token over the timed repetitions
 */
public record BenchResult(String model, long modelBytes, long parameters, String backend, String device, int threads,
                          String test, double tokensPerSecond, double stddev, double timeToFirstTokenMs,
                          double weightGBps, double bandwidthFraction, double gflops, long residentBytes,
                          ProcessCounters.PerToken perToken) {
}
