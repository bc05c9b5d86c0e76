package org.dsv3.runner.bench;

import java.util.Arrays;
import org.dsv3.model.backend.StepProfile;

/**
 * The measurements of one test on one device: the time of every repetition (what llama-bench
 * reports as {@code samples_ns}) and the figures derived from them.
 *
 * @param device            the backend's description of the device it ran on
 * @param threads           compute threads (CPU)
 * @param batch             prompt tokens per forward step
 * @param samplesNs         wall time of each timed repetition, in nanoseconds
 * @param timeToFirstTokenMs median over the repetitions: the prompt's time for pp tests, the first token's for tg tests
 * @param weightGBps        generation: weight bytes read per token × tokens/s (NaN for pure prompt tests)
 * @param bandwidthFraction generation on the CPU: {@code weightGBps} / the measured machine read bandwidth (NaN otherwise)
 * @param gflops            prompt processing: 2 × active parameters × tokens/s (NaN for pure generation tests)
 * @param residentBytes     the process's resident memory after the test (-1 when unknown)
 * @param perToken          page faults and process CPU time per token over the timed repetitions
 * @param profile           generation on a device with a profiler: a separate, shorter profiled pass of the same
 *                          test (kernel time and weight bytes per token); null otherwise
 */
public record BenchResult(BenchTest test, String device, int threads, int batch, long[] samplesNs, double timeToFirstTokenMs,
                          double weightGBps, double bandwidthFraction, double gflops, long residentBytes,
                          ProcessCounters.PerToken perToken, StepProfile profile) {

    public BenchResult {
        samplesNs = samplesNs.clone();
    }

    /** A result without a profiled pass. */
    public BenchResult(BenchTest test, String device, int threads, int batch, long[] samplesNs, double timeToFirstTokenMs,
                       double weightGBps, double bandwidthFraction, double gflops, long residentBytes,
                       ProcessCounters.PerToken perToken) {
        this(test, device, threads, batch, samplesNs, timeToFirstTokenMs, weightGBps, bandwidthFraction, gflops, residentBytes,
                perToken, null);
    }

    /** Device kernel time per decoded token, in ms, from the profiled pass; NaN without one or when the profiler saw no kernels. */
    public double kernelMsPerToken() {
        return profile != null && profile.kernelTimeKnown() ? profile.kernelNsPerToken() / 1e6 : Double.NaN;
    }

    /**
     * The rest of a token's time, in ms: the unprofiled mean time per token (the timed repetitions) minus
     * {@link #kernelMsPerToken()}; NaN where that is.
     */
    public double hostMsPerToken() {
        return profile != null && profile.kernelTimeKnown()
                ? profile.hostNsPerToken(avgNs() / (double) test.timedTokens()) / 1e6 : Double.NaN;
    }

    /** Weight bytes per token over the kernel time, in GB/s ({@link StepProfile#kernelWeightGBps()}); NaN where unknown. */
    public double kernelWeightGBps() {
        return profile != null ? profile.kernelWeightGBps() : Double.NaN;
    }

    @Override
    public long[] samplesNs() {
        return samplesNs.clone();
    }

    /** Tokens per second of each repetition. */
    public double[] samplesTs() {
        return Arrays.stream(samplesNs).mapToDouble(ns -> test.timedTokens() * 1e9 / ns).toArray();
    }

    /** Mean of {@link #samplesTs()} (llama-bench's {@code avg_ts}). */
    public double avgTs() {
        return Stats.mean(samplesTs());
    }

    /** Sample standard deviation of {@link #samplesTs()} ({@code stddev_ts}). */
    public double stddevTs() {
        return Stats.stddev(samplesTs());
    }

    /** Median of {@link #samplesTs()}. */
    public double medianTs() {
        return Stats.median(samplesTs());
    }

    /** Mean of {@link #samplesNs()} ({@code avg_ns}). */
    public long avgNs() {
        return Math.round(Stats.mean(Arrays.stream(samplesNs).asDoubleStream().toArray()));
    }

    /** Sample standard deviation of {@link #samplesNs()} ({@code stddev_ns}). */
    public long stddevNs() {
        return Math.round(Stats.stddev(Arrays.stream(samplesNs).asDoubleStream().toArray()));
    }
}
