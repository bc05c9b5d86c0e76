package org.dsv3.tornado.tasks;

import org.dsv3.model.backend.BackendConformance;

/** The shared backend contract ({@link BackendConformance}) on the TornadoVM backend (PoCL here). */
class TornadoBackendConformanceTest extends BackendConformance {
    @Override
    protected String device() {
        return "tornado";
    }
}
