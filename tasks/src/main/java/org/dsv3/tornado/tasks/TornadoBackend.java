package org.dsv3.tornado.tasks;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.backend.StepProfiler;
import org.dsv3.model.config.CheckedModel;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.ModelValidator;
import org.dsv3.model.gguf.GgufModel;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The model on one TornadoVM device. The weights are read from the file into upload-ready arrays at
 * load; the execution plan (kernels compiled, weights uploaded once) is built by the first session
 * and kept for the next ones as long as their context fits and their cache type is the same: its cache is allocated for the whole context
 * up front, so a session should ask for the context it needs (0 = the model's, which may take GiBs).
 * One session at a time.
 */
public final class TornadoBackend implements InferenceBackend {
    /**
     * The latent cache types the device kernels keep: float32, and F16/BF16 packed two values a word
     * ({@code CacheFormat}); {@code --kv-type auto} takes F16, as on the CPU.
     */
    static final Set<KvCacheType> KV_CACHE_TYPES = java.util.Collections.unmodifiableSet(
            EnumSet.of(KvCacheType.F32, KvCacheType.F16, KvCacheType.BF16));

    private final DeepSeekConfig config;
    private final DeviceModel model;
    private final TornadoDevice device;
    private final PlanOptions options;
    private DecodePlan plan;
    private TornadoSession open;

    TornadoBackend(CheckedModel file, TornadoDevice device, PlanOptions options) {
        this.config = file.config();
        this.device = device;
        this.options = options;
        this.model = DeviceModel.load(file);
    }

    /** Checks {@code file} against {@code config}, then loads it (for tools that build the backend directly). */
    TornadoBackend(GgufModel file, DeepSeekConfig config, TornadoDevice device, PlanOptions options) {
        this(ModelValidator.check(file, config), device, options);
    }

    @Override
    public DeepSeekConfig config() {
        return config;
    }

    @Override
    public String device() {
        return "tornado (" + device.getDeviceName() + ", " + device.getPlatformName() + ")";
    }

    @Override
    public InferenceSession newSession(SessionOptions options) {
        options.requireKvCacheType(this);
        if (open != null) {
            throw new IllegalStateException("the tornado backend runs one session at a time; close the open one first");
        }
        int max = options.contextLength(config);
        if (plan == null || plan.maxContext() < max || plan.kvType() != options.kvCacheType()) {
            if (plan != null) {
                plan.close();
                plan = null;
            }
            plan = new DecodePlan(model, device, max, options.kvCacheType(), this.options);
        }
        open = new TornadoSession(this, plan, max);
        return open;
    }

    /** The device keeps the latent cache in float32, F16 or BF16. */
    @Override
    public Set<KvCacheType> kvCacheTypes() {
        return KV_CACHE_TYPES;
    }

    void sessionClosed(TornadoSession s) {
        if (open == s) {
            open = null;
        }
    }

    /** TornadoVM's profiler over the open session's decode steps ({@link TornadoStepProfiler}). */
    @Override
    public Optional<StepProfiler> profiler() {
        return Optional.of(new TornadoStepProfiler(this));
    }

    /** The plan of the open session. */
    DecodePlan openPlan() {
        if (open == null) {
            throw new IllegalStateException("no open session on the tornado backend to profile");
        }
        return plan;
    }

    /** The plan, for benchmarks; null before the first session. */
    DecodePlan plan() {
        return plan;
    }

    DeviceModel model() {
        return model;
    }

    @Override
    public void close() {
        if (plan != null) {
            plan.close();
            plan = null;
        }
    }
}
