package org.dsv3.tornado.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.dsv3.model.backend.BackendException;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.DeviceInfo;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.config.CheckedModel;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

/**
 * The {@code tornado} device: GPUs (and PoCL CPUs) through TornadoVM. Select a device with
 * {@code --device tornado:BACKEND:DEVICE}, e.g. {@code tornado:0:0} or {@code tornado:opencl:0}. TornadoVM
 * classes are touched only inside methods, so this class loads even where TornadoVM is absent.
 */
public final class TornadoBackendProvider implements BackendProvider {
    private String reason;

    @Override
    public String name() {
        return "tornado";
    }

    @Override
    public boolean isAvailable() {
        try {
            DeviceSelector.runtime();
            return true;
        } catch (Throwable t) {
            String home = System.getenv("TORNADOVM_HOME");
            reason = t instanceof BackendException ? t.getMessage()
                    : "TornadoVM is not on this JVM (" + DeviceSelector.oneLine(t) + "); "
                    + (home == null || home.isBlank()
                            ? "TORNADOVM_HOME is not set: export it (a TornadoVM 5.2.0-jdk25 SDK, README.md \"GPU backend: TornadoVM\") and start through ./dsv3"
                            : "start the JVM with @$TORNADOVM_HOME/tornado-argfile, as ./dsv3 does");
            return false;
        }
    }

    @Override
    public String unavailableReason() {
        return reason != null ? reason : "TornadoVM is not available";
    }

    /** Every device TornadoVM sees, as {@code tornado:BACKEND:DEVICE} specs (the form {@code --device} takes). */
    @Override
    public List<DeviceInfo> describeDevices() {
        TornadoRuntime rt = DeviceSelector.runtime();
        TornadoDevice dflt = rt.getDefaultDevice();
        List<DeviceInfo> list = new ArrayList<>();
        for (int b = 0; b < rt.getNumBackends(); b++) {
            uk.ac.manchester.tornado.api.TornadoBackend backend = rt.getBackend(b);   // TornadoVM's, not ours
            for (int d = 0; d < backend.getNumDevices(); d++) {
                TornadoDevice dev = backend.getDevice(d);
                String details = rt.getBackendType(b).name().toLowerCase(Locale.ROOT) + " (" + dev.getPlatformName().strip() + "), "
                        + dev.getDeviceType().name().toLowerCase(Locale.ROOT) + ", " + (dev.getMaxGlobalMemory() >> 20) + " MiB"
                        + (b == dflt.getBackendIndex() && dev.getDeviceName().equals(dflt.getDeviceName()) ? ", default" : "");
                // the physical device's name ("NVIDIA H200"); TornadoVM's own is only "opencl-0-0"
                list.add(new DeviceInfo("tornado:" + b + ":" + d, dev.getPhysicalDevice().getDeviceName().strip(), details));
            }
        }
        return list;
    }

    /**
     * Resolves {@code tornado:BACKEND:DEVICE} against TornadoVM's devices before any model is read (starting
     * TornadoVM takes seconds, a model load may take minutes; the load reuses the started runtime).
     */
    @Override
    public void checkDevice(String detail) {
        DeviceSelector.select(detail);
    }

    /** The device kernels keep the latent cache in float32, F16 or BF16 (see {@link TornadoBackend#kvCacheTypes()}). */
    @Override
    public Set<KvCacheType> kvCacheTypes() {
        return TornadoBackend.KV_CACHE_TYPES;
    }

    /**
     * F32: on the H200 (2026-12-02, synthetic V2-Lite Q8_0, PTX + CUDA graphs) the F16 cache decoded 121.0
     * tok/s at 4096 tokens of context against 139.2 with F32 — the kernels decode halves with integer
     * arithmetic (PoCL and TornadoVM's OpenCL backend have no usable fp16), which costs more than the halved
     * traffic saves. {@code --kv-type f16} (or bf16) still keeps half the memory.
     */
    @Override
    public KvCacheType defaultKvCacheType() {
        return KvCacheType.F32;
    }

    @Override
    public InferenceBackend load(CheckedModel model, BackendOptions options) {
        TornadoDevice device;
        try {
            device = DeviceSelector.select(options.device());
        } catch (BackendException e) {
            throw new BackendException(e.getMessage() + " (use --device cpu)", e);
        }
        return new TornadoBackend(model, device, PlanOptions.fromSystemProperties(device));
    }
}
