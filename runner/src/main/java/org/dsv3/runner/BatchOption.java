package org.dsv3.runner;

import org.dsv3.runner.generate.Generator;
import picocli.CommandLine.Option;

/** {@code -b}: how many prompt tokens go through the model in one forward step. */
final class BatchOption {
    @Option(names = {"-b", "--batch-size"}, defaultValue = "" + Generator.DEFAULT_PREFILL_CHUNK, paramLabel = "N",
            description = "prompt tokens per forward step (default ${DEFAULT-VALUE})")
    int batch;

    /** The batch size, checked. */
    int value() {
        if (batch < 1) {
            throw new UserError("--batch-size must be at least 1, got " + batch);
        }
        return batch;
    }
}
