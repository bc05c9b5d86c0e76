package org.dsv3.model.backend;

/**
 * Where the time of a decoded token goes on a device, as its profiler saw a short profiled pass
 * ({@link StepProfiler}). A profiled pass runs slower than a plain one (the profiler waits for and reads
 * every kernel's timer), so the host share of a token is worked out against the wall time of a separate
 * unprofiled pass: {@link #hostNsPerToken(double)}.
 *
 * @param tokens              tokens decoded with the profiler on
 * @param kernelNsPerToken    device time of every kernel of one token, summed; {@code NaN} when the profiler did
 *                            not see every kernel (e.g. with CUDA graphs a graph is replayed as one launch)
 * @param profiledNsPerToken  wall time per token of the profiled pass (the profiler's own cost included)
 * @param weightBytesPerToken bytes of weights the kernels of one token read
 */
public record StepProfile(int tokens, double kernelNsPerToken, double profiledNsPerToken, long weightBytesPerToken) {
    public StepProfile {
        if (tokens < 1) {
            throw new IllegalArgumentException("a step profile needs at least one token, got " + tokens);
        }
        if (kernelNsPerToken < 0 || profiledNsPerToken < 0 || weightBytesPerToken < 0) {
            throw new IllegalArgumentException("negative time or bytes in a step profile: kernel " + kernelNsPerToken
                    + " ns, profiled " + profiledNsPerToken + " ns, " + weightBytesPerToken + " bytes");
        }
    }

    /** Whether the profiler saw every kernel, i.e. {@link #kernelNsPerToken} is a number. */
    public boolean kernelTimeKnown() {
        return !Double.isNaN(kernelNsPerToken);
    }

    /**
     * The time of a token that is not kernel time (launches, transfers, synchronisation, Java): {@code wallNsPerToken}
     * of an unprofiled pass minus {@link #kernelNsPerToken}; NaN when the kernel time is not known. It can come out
     * slightly negative when the two passes differ by more than the host's share (noise, a busy machine).
     */
    public double hostNsPerToken(double wallNsPerToken) {
        return wallNsPerToken - kernelNsPerToken;
    }

    /** Weight bytes per token over the kernel time, in GB/s (10⁹ bytes a second); NaN when the kernel time is not known. */
    public double kernelWeightGBps() {
        return kernelTimeKnown() && kernelNsPerToken > 0 ? weightBytesPerToken / kernelNsPerToken : Double.NaN;
    }
}
