package org.dsv3.model.backend;

/**
 * Hears how loading a model onto a device goes, for progress displays. A provider that copies
 * weights (to a GPU, say) reports a stage such as {@code "uploading"} with its byte count and then
 * its progress; one that works in place may report nothing. Calls come from the loading thread.
 */
public interface LoadListener {
    /** Hears nothing. */
    LoadListener NONE = new LoadListener() {
        @Override
        public void stage(String name, long totalBytes) {
        }

        @Override
        public void progress(long doneBytes) {
        }
    };

    /** A stage begins; {@code totalBytes} is 0 when unknown. */
    void stage(String name, long totalBytes);

    /** Bytes done so far in the current stage. */
    void progress(long doneBytes);
}
