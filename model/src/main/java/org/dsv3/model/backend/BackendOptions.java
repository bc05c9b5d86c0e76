package org.dsv3.model.backend;

/**
 * How a backend loads a model.
 *
 * @param threads worker threads for the compute kernels; 0 = one per available core
 * @param device  which device of the backend, in the backend's own words: what follows the first ':'
 *                of {@code --device} (e.g. {@code "opencl:0"} for {@code tornado:opencl:0}); empty = its default
 */
public record BackendOptions(int threads, String device) {

    public BackendOptions {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0 (0 = all cores), got " + threads);
        }
        device = device == null ? "" : device.strip();
    }

    /** {@code threads} on the backend's default device. */
    public BackendOptions(int threads) {
        this(threads, "");
    }

    public static BackendOptions defaults() {
        return new BackendOptions(0, "");
    }

    /** The thread count to use: {@link #threads()} or, when 0, the number of available cores. */
    public int effectiveThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
