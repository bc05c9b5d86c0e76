package org.dsv3.model.backend;

/**
 * A backend's device profiler, for benchmarks ({@link InferenceBackend#profiler()}): kernel time per decoded token
 * and the weight bytes the kernels read. Profiling costs time, so a benchmark times its tokens/s without it and
 * profiles a separate short pass.
 */
public interface StepProfiler {
    /**
     * Runs {@code decode} with the profiler on and returns what it saw per token. {@code decode} must decode exactly
     * {@code tokens} tokens, one forward step of one token each, on the open session of this profiler's backend;
     * batched prompts are not profiled.
     *
     * @throws IllegalArgumentException when {@code tokens < 1} or {@code decode} ran something else than {@code tokens}
     *                                  one-token steps
     * @throws IllegalStateException    when the backend has no session to profile
     */
    StepProfile profile(int tokens, Runnable decode);
}
