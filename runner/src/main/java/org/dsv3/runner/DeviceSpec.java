package org.dsv3.runner;

import org.dsv3.model.backend.BackendOptions;

/**
 * A {@code --device} value: the backend provider's name before the first ':' and the rest, which
 * the provider interprets ({@code tornado:opencl:0} → provider {@code tornado}, detail {@code opencl:0}).
 */
record DeviceSpec(String provider, String detail) {
    static DeviceSpec parse(String s) {
        if (s == null || s.isBlank()) {
            throw new UserError("--device must not be empty (cpu, tornado, tornado:BACKEND:DEVICE)");
        }
        int colon = s.indexOf(':');
        return colon < 0 ? new DeviceSpec(s.strip().toLowerCase(java.util.Locale.ROOT), "")
                : new DeviceSpec(s.substring(0, colon).strip().toLowerCase(java.util.Locale.ROOT), s.substring(colon + 1).strip());
    }

    BackendOptions options(int threads) {
        return new BackendOptions(threads);
    }
}
