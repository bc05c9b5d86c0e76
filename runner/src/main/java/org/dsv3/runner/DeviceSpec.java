package org.dsv3.runner;

import java.util.Locale;
import org.dsv3.model.backend.BackendException;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.Backends;

/**
 * A {@code --device} value split at its first ':': the backend provider's name, and the rest, which
 * only that provider interprets ({@code tornado:opencl:0} → provider {@code tornado}, detail
 * {@code opencl:0}; {@code tornado:0:0} → detail {@code 0:0}; {@code cpu} → detail empty).
 */
record DeviceSpec(String provider, String detail) {

    static DeviceSpec parse(String s) {
        if (s == null || s.isBlank()) {
            throw new UserError("--device must not be empty (cpu, tornado, tornado:BACKEND:DEVICE)");
        }
        String v = s.strip();
        int colon = v.indexOf(':');
        String name = (colon < 0 ? v : v.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
        String detail = colon < 0 ? "" : v.substring(colon + 1).strip();
        if (name.isEmpty()) {
            throw new UserError("--device '" + s + "' names no backend before ':'");
        }
        return new DeviceSpec(name, detail);
    }

    /**
     * The provider named by {@code spec}; for {@code tornado} on a build without the TornadoVM modules, a
     * one-line explanation instead of "no backend".
     */
    static BackendProvider provider(DeviceSpec spec) {
        try {
            return Backends.provider(spec.provider());
        } catch (IllegalArgumentException e) {
            if (spec.provider().equals("tornado")) {
                throw new BackendException("the tornado device needs TornadoVM: this build has no TornadoVM backend "
                        + "(build and run with TORNADOVM_HOME set, see tornado-config/README.md); use --device cpu");
            }
            throw e;
        }
    }

    BackendOptions options(int threads) {
        return new BackendOptions(threads, detail);
    }
}
