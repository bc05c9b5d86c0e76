package org.dsv3.runner;

import java.nio.file.Path;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.runner.load.LoadSpec;
import picocli.CommandLine.Option;

/** The options of every command that loads a model to generate: file, device, context, cache. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model (any shard of a split model)")
    Path model;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "D",
            description = "compute device: cpu, tornado, tornado:BACKEND:DEVICE (default ${DEFAULT-VALUE}; see dsv3 devices)")
    String device;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", paramLabel = "N", description = "compute threads; 0 = all cores (default)")
    int threads;

    @Option(names = {"-c", "--ctx"}, defaultValue = "4096", paramLabel = "N",
            description = "context size in tokens per session; 0 = the model's own (default ${DEFAULT-VALUE})")
    int ctx;

    @Option(names = "--kv-type", defaultValue = "f16", paramLabel = "TYPE",
            description = "KV cache element type: f32, bf16 or f16 (default ${DEFAULT-VALUE})")
    String kvType;

    @Option(names = "--group-routing", defaultValue = "AUTO", paramLabel = "MODE",
            description = "AUTO: the file's expert groups; OFF: plain top-k")
    GroupRouting groupRouting;

    @Option(names = "--preload", negatable = true, paramLabel = "",
            description = "read all weights into memory before the first token (default: when they fit in 3/4 of memory)")
    Boolean preload;

    LoadSpec spec() {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads < 0 || threads > cores) {
            throw new UserError("--threads must be in 0.." + cores + " (this machine's cores; 0 = all of them), got " + threads);
        }
        DeviceSpec d = DeviceSpec.parse(device);
        return new LoadSpec(model, d.provider(), d.options(threads), groupRouting, preload);
    }

    SessionOptions sessionOptions() {
        if (ctx < 0) {
            throw new UserError("--ctx must be >= 0 (0 = the model's context), got " + ctx);
        }
        return new SessionOptions(KvCacheType.parse(kvType), ctx);
    }
}
