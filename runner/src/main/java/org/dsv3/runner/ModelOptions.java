package org.dsv3.runner;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.runner.load.BackendLookup;
import org.dsv3.runner.load.LoadSpec;
import org.dsv3.runner.load.TemplateOverride;
import picocli.CommandLine.Option;

/**
 * The options of every command that loads a model to generate: file, device, context, cache,
 * chat template. {@link #validate} checks all of them before anything is loaded.
 */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model (any shard of a split model)")
    Path model;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "D",
            description = "compute device: cpu, tornado, tornado:BACKEND:DEVICE (default ${DEFAULT-VALUE}; see dsv3 devices)")
    String device;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", paramLabel = "N", description = "compute threads; 0 = all cores (default)")
    int threads;

    @Option(names = {"-c", "--ctx", "--ctx-size"}, defaultValue = "4096", paramLabel = "N",
            description = "context size in tokens per session; 0 = the model's own (default ${DEFAULT-VALUE})")
    int ctx;

    @Option(names = "--kv-type", defaultValue = "auto", paramLabel = "TYPE",
            description = "KV cache element type: f32, bf16, f16, or auto (default: the device's preferred type — "
                    + "f16 on the CPU, f32 on the tornado device, where f16 measured slower; both keep all three)")
    String kvType;

    @Option(names = "--group-routing", defaultValue = "AUTO", paramLabel = "MODE",
            description = "AUTO: the file's expert groups; OFF: plain top-k")
    GroupRouting groupRouting;

    @Option(names = "--preload", negatable = true, paramLabel = "",
            description = "read all weights into memory before the first token (default: when they fit in 3/4 of memory)")
    Boolean preload;

    @Option(names = "--chat-template", paramLabel = "NAME|FILE",
            description = "chat template instead of the file's: a built-in format (deepseek-v3, deepseek-r1, deepseek-v2, "
                    + "kimi-k2) or a Jinja template file")
    String chatTemplate;

    private TemplateOverride template;
    private SessionOptions session;
    private DeviceSpec deviceSpec;

    /**
     * Checks every option (ranges, device syntax and backend, cache type, chat template) without
     * touching the model, so that a mistake is reported before a load that may take minutes.
     *
     * @throws UserError naming the option
     */
    void validate() {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads < 0 || threads > cores) {
            throw new UserError("--threads must be in 0.." + cores + " (this machine's cores; 0 = all of them), got " + threads);
        }
        if (ctx < 0) {
            throw new UserError("--ctx must be >= 0 (0 = the model's context), got " + ctx);
        }
        deviceSpec = DeviceSpec.parse(device);
        BackendProvider provider = BackendLookup.provider(deviceSpec.provider());
        provider.checkDevice(deviceSpec.detail());
        KvCacheType cacheType = cacheType(provider);
        session = new SessionOptions(cacheType, ctx);
        template = chatTemplate == null ? null : TemplateOverride.parse(chatTemplate);
    }

    /** {@code --kv-type}: {@code auto} is the provider's preferred type; an explicit one must be kept by the device. */
    private KvCacheType cacheType(BackendProvider provider) {
        Set<KvCacheType> kept = provider.kvCacheTypes();
        if (kvType.equalsIgnoreCase("auto")) {
            return provider.defaultKvCacheType();
        }
        KvCacheType type;
        try {
            type = KvCacheType.parse(kvType);
        } catch (IllegalArgumentException e) {
            throw new UserError("--kv-type: " + e.getMessage() + " or auto");
        }
        if (!kept.contains(type)) {
            String names = kept.stream().map(t -> t.name().toLowerCase(Locale.ROOT)).sorted().collect(Collectors.joining(", "));
            throw new UserError("--kv-type " + kvType + ": the " + deviceSpec.provider() + " device keeps the latent cache in "
                    + names + " (or leave --kv-type at auto)");
        }
        return type;
    }

    LoadSpec spec() {
        ensureValid();
        return new LoadSpec(model, deviceSpec.provider(), deviceSpec.options(threads), groupRouting, preload, template);
    }

    SessionOptions sessionOptions() {
        ensureValid();
        return session;
    }

    private void ensureValid() {
        if (session == null) {
            validate();
        }
    }
}
