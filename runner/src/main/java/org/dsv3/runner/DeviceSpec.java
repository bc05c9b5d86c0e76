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
                throw new BackendException("the tornado device needs TornadoVM: " + tornadoMissing() + "; or use --device cpu");
            }
            throw e;
        }
    }

    /** What is missing when this build has no TornadoVM backend, and how to get it. */
    static String tornadoMissing() {
        String home = System.getenv("TORNADOVM_HOME");
        String what = home == null || home.isBlank()
                ? "TORNADOVM_HOME is not set, so this build has no TornadoVM backend"
                : "this build has no TornadoVM backend although TORNADOVM_HOME=" + home + " (start through ./dsv3, which rebuilds with it)";
        return what + "; install the TornadoVM " + TORNADO_VERSION + " SDK for your GPU's backend (OpenCL, PTX or SPIR-V), "
                + "export TORNADOVM_HOME=<its folder> and run ./dsv3 devices (README.md, \"GPU backend: TornadoVM\")";
    }

    /** The TornadoVM release the tornado backend is built and tested against (pom.xml {@code tornado.version}). */
    static final String TORNADO_VERSION = "5.2.0-jdk25";

    BackendOptions options(int threads) {
        return new BackendOptions(threads, detail);
    }
}
