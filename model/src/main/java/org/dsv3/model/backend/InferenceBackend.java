package org.dsv3.model.backend;

import org.dsv3.model.config.DeepSeekConfig;

/**
 * A model loaded on one device, ready to run sessions. Sessions share the weights; each has its own
 * cache. Closing the backend releases its threads and device memory (not the GGUF file, which the
 * caller opened and closes).
 */
public interface InferenceBackend extends AutoCloseable {

    /** The configuration the model was loaded with. */
    DeepSeekConfig config();

    /** A short description of the device, e.g. {@code "cpu (16 threads)"}. */
    String device();

    InferenceSession newSession(SessionOptions options);

    @Override
    void close();
}
