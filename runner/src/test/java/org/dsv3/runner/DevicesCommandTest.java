package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DevicesCommandTest {
    @Test
    void listsTheCpuAndTheOtherProvidersDevices() {
        RunCommandTest.Result r = RunCommandTest.run("devices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("cpu "), r.out());
        assertTrue(r.out().matches("(?s).*\\d+ cores, .* memory, SIMD \\d+-bit \\(\\d+ float lanes.*"), r.out());
        // the test class path has the scripted provider, which describes one device
        assertTrue(r.out().contains("scripted:0   Scripted test device — writes a fixed text"), r.out());
    }

    @Test
    void saysWhatIsMissingForTornadoAndHowToGetIt() {
        // the test JVM never has TornadoVM on it: without the TornadoVM modules (TORNADOVM_HOME unset) the
        // backend is "not installed"; with them but without TornadoVM's argfile it is "not available"
        RunCommandTest.Result r = RunCommandTest.run("devices");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().matches("(?s).*\\ntornado +not (installed|available): [^\\n]*TORNADOVM_HOME[^\\n]*\\n.*"), r.out());
    }
}
