package org.dsv3.runner;

import java.util.Locale;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.runner.load.BackendLookup;

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

    /** The provider named by {@code spec} ({@link BackendLookup#provider}: a missing tornado backend explained). */
    static BackendProvider provider(DeviceSpec spec) {
        return BackendLookup.provider(spec.provider());
    }

    BackendOptions options(int threads) {
        return new BackendOptions(threads, detail);
    }
}
