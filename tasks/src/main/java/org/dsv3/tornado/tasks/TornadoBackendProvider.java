package org.dsv3.tornado.tasks;

import org.dsv3.model.backend.BackendException;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.gguf.GgufModel;
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
            reason = t instanceof BackendException ? t.getMessage()
                    : "TornadoVM is not on this JVM (" + DeviceSelector.oneLine(t) + "); start it with $TORNADOVM_HOME/tornado-argfile";
            return false;
        }
    }

    @Override
    public String unavailableReason() {
        return reason != null ? reason : "TornadoVM is not available";
    }

    @Override
    public InferenceBackend load(GgufModel model, DeepSeekConfig config, BackendOptions options) {
        TornadoDevice device;
        try {
            device = DeviceSelector.select(options.device());
        } catch (BackendException e) {
            throw new BackendException(e.getMessage() + " (use --device cpu)", e);
        }
        return new TornadoBackend(model, config, device, PlanOptions.fromSystemProperties(device));
    }
}
