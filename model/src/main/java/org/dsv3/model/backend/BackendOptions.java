package org.dsv3.model.backend;

/**
 * How a backend loads a model.
 *
 * @param threads worker threads for the compute kernels; 0 = one per available core
 */
public record BackendOptions(int threads) {

    public BackendOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = all cores), got " + threads);
        }
    }

    public static BackendOptions defaults() {
        return new BackendOptions(0);
    }

    /** The thread count to use: {@link #threads()} or, when 0, the number of available cores. */
    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
