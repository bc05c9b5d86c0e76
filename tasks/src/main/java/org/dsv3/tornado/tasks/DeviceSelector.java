package org.dsv3.tornado.tasks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dsv3.model.backend.BackendException;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoRuntime;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.runtime.TornadoRuntimeProvider;

/**
 * Finds the TornadoVM device a {@code --device tornado[:BACKEND:DEVICE]} detail names: empty for
 * the default device ({@link #defaultDevice}), {@code B:D} with numbers as {@code tornado --devices} lists them
 * ({@code 0:0}), or a backend by name ({@code opencl:0}, {@code ptx:0}).
 */
final class DeviceSelector {
    private DeviceSelector() {
    }

    /** The TornadoVM runtime, or a {@link BackendException} saying why it cannot start. */
    static TornadoRuntime runtime() {
        try {
            PtxPreference.apply();
            TornadoRuntime rt = TornadoRuntimeProvider.getTornadoRuntime();
            if (rt == null || rt.getNumBackends() == 0) {
                throw new BackendException("TornadoVM found no backend (no OpenCL/PTX driver on this machine?)");
            }
            return rt;
        } catch (BackendException e) {
            throw e;
        } catch (Throwable t) {
            throw new BackendException("TornadoVM could not start: " + oneLine(t)
                    + " (is the JVM started with $TORNADOVM_HOME/tornado-argfile?)", t);
        }
    }

    static TornadoDevice select(String detail) {
        TornadoRuntime rt = runtime();
        if (detail == null || detail.isBlank()) {
            return defaultDevice(rt);
        }
        String[] parts = detail.split(":");
        if (parts.length > 2) {
            throw new BackendException("device '" + detail + "' is not BACKEND:DEVICE; devices here: " + list(rt));
        }
        int backend = backendIndex(rt, parts[0].strip());
        int device = 0;
        if (parts.length == 2) {
            try {
                device = Integer.parseInt(parts[1].strip());
            } catch (NumberFormatException e) {
                throw new BackendException("device number '" + parts[1] + "' is not a number; devices here: " + list(rt));
            }
        }
        TornadoBackend b = rt.getBackend(backend);
        if (device < 0 || device >= b.getNumDevices()) {
            throw new BackendException("TornadoVM backend " + backend + " (" + b.getName() + ") has no device " + device
                    + "; devices here: " + list(rt));
        }
        return b.getDevice(device);
    }

    /**
     * With no device named: the first device of the PTX backend where there is one (an NVIDIA GPU: measured
     * on the H200, PTX with CUDA graphs decodes about twice as fast as OpenCL, with the same logits), else
     * TornadoVM's own default (its OpenCL device unless its backend priorities say otherwise).
     */
    static TornadoDevice defaultDevice(TornadoRuntime rt) {
        for (int i = 0; i < rt.getNumBackends(); i++) {
            if (rt.getBackendType(i) == TornadoVMBackendType.PTX && rt.getBackend(i).getNumDevices() > 0) {
                return rt.getBackend(i).getDevice(0);
            }
        }
        return rt.getDefaultDevice();
    }

    private static int backendIndex(TornadoRuntime rt, String s) {
        if (s.chars().allMatch(Character::isDigit) && !s.isEmpty()) {
            int i = Integer.parseInt(s);
            if (i >= rt.getNumBackends()) {
                throw new BackendException("TornadoVM has no backend " + i + "; devices here: " + list(rt));
            }
            return i;
        }
        for (int i = 0; i < rt.getNumBackends(); i++) {
            if (rt.getBackendType(i).name().equalsIgnoreCase(s)) {
                return i;
            }
        }
        throw new BackendException("TornadoVM has no '" + s.toLowerCase(Locale.ROOT) + "' backend; devices here: " + list(rt));
    }

    /** Every device as {@code B:D (TYPE) name}. */
    static String list(TornadoRuntime rt) {
        List<String> all = new ArrayList<>();
        for (int i = 0; i < rt.getNumBackends(); i++) {
            TornadoBackend b = rt.getBackend(i);
            for (int j = 0; j < b.getNumDevices(); j++) {
                all.add(i + ":" + j + " (" + rt.getBackendType(i) + ") " + b.getDevice(j).getDeviceName());
            }
        }
        return all.isEmpty() ? "none" : String.join(", ", all);
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage();
        String s = t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
