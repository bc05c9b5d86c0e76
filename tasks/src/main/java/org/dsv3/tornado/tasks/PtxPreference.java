package org.dsv3.tornado.tasks;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;

/**
 * Makes PTX TornadoVM's own default backend on a machine with a CUDA driver, before the runtime starts.
 *
 * <p>{@code --device tornado} already picks the PTX device there ({@link DeviceSelector}); but TornadoVM 5.2 builds each
 * kernel's sketch with the intrinsics of its default backend, so the kernels that need PTX's own ({@code dp4a} for the
 * 8-bit inputs, {@code mma.sync} for the tensor cores) compile only with {@code -Dtornado.ptx.priority=100}
 * (tornado-config/README.md). This sets that property when nobody has, the SDK holds the PTX backend and
 * {@code libcuda.so.1} loads, so that the NVIDIA default is the fastest path without an option. Elsewhere it does
 * nothing (OpenCL stays first: with PTX first and no driver TornadoVM would have no default device).
 */
final class PtxPreference {
    static final String PROPERTY = "tornado.ptx.priority";
    private static boolean applied;

    private PtxPreference() {
    }

    /** Call before the first use of TornadoVM's runtime; later calls do nothing. */
    static synchronized void apply() {
        if (applied) {
            return;
        }
        applied = true;
        if (wanted(System.getProperty(PROPERTY), ptxBackendPresent(), cudaDriverLoads())) {
            System.setProperty(PROPERTY, "100");
        }
    }

    /** Whether to set the priority: nobody has, and both the SDK's PTX backend and a CUDA driver are here. */
    static boolean wanted(String current, boolean ptxBackend, boolean cudaDriver) {
        return current == null && ptxBackend && cudaDriver;
    }

    private static boolean ptxBackendPresent() {
        return ModuleLayer.boot().findModule("tornado.drivers.ptx").isPresent();
    }

    private static boolean cudaDriverLoads() {
        try {
            SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalCallerException e) {
            return false;
        }
    }
}
