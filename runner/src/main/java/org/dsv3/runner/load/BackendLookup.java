package org.dsv3.runner.load;

import org.dsv3.model.backend.BackendException;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.Backends;

/**
 * Finds the backend provider a {@code --device} names, and for {@code tornado} on a build without the
 * TornadoVM modules says what is missing and how to get it, instead of "no backend".
 */
public final class BackendLookup {
    /** The TornadoVM release the tornado backend is built and tested against (pom.xml {@code tornado.version}). */
    public static final String TORNADO_VERSION = "5.2.0-jdk25";

    private BackendLookup() {
    }

    /** {@link Backends#provider(String)}, with the explanation above for a missing tornado backend. */
    public static BackendProvider provider(String name) {
        try {
            return Backends.provider(name);
        } catch (IllegalArgumentException e) {
            if (name.equalsIgnoreCase("tornado")) {
                throw new BackendException("the tornado device needs TornadoVM: " + tornadoMissing() + "; or use --device cpu", e);
            }
            throw e;
        }
    }

    /** What is missing when this build has no TornadoVM backend, and how to get it. */
    public static String tornadoMissing() {
        String home = System.getenv("TORNADOVM_HOME");
        String what = home == null || home.isBlank()
                ? "TORNADOVM_HOME is not set, so this build has no TornadoVM backend"
                : "this build has no TornadoVM backend although TORNADOVM_HOME=" + home + " (start through ./dsv3, which rebuilds with it)";
        return what + "; install the TornadoVM " + TORNADO_VERSION + " SDK for your GPU's backend (OpenCL, PTX or SPIR-V), "
                + "export TORNADOVM_HOME=<its folder> and run ./dsv3 devices (README.md, \"GPU backend: TornadoVM\")";
    }
}
