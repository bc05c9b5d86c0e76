package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dsv3.model.backend.BackendException;
import org.junit.jupiter.api.Test;

class DeviceSpecTest {
    @Test
    void splitsAtTheFirstColon() {
        assertEquals(new DeviceSpec("cpu", ""), DeviceSpec.parse("cpu"));
        assertEquals(new DeviceSpec("tornado", ""), DeviceSpec.parse("Tornado"));
        assertEquals(new DeviceSpec("tornado", "0:0"), DeviceSpec.parse("tornado:0:0"));
        assertEquals(new DeviceSpec("tornado", "opencl:0"), DeviceSpec.parse(" tornado:opencl:0 "));
        assertEquals("ptx:1", DeviceSpec.parse("tornado:ptx:1").options(4).device());
        assertThrows(UserError.class, () -> DeviceSpec.parse(" "));
        assertThrows(UserError.class, () -> DeviceSpec.parse(":0"));
    }

    @Test
    void aMissingTornadoBackendSaysSoInOneLine() {
        // the plain build has no tornado provider on the class path
        if (org.dsv3.model.backend.Backends.all().stream().noneMatch(p -> p.name().equals("tornado"))) {
            BackendException e = assertThrows(BackendException.class, () -> DeviceSpec.provider(DeviceSpec.parse("tornado:0:0")));
            assertTrue(e.getMessage().contains("TornadoVM") && e.getMessage().contains("--device cpu"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> DeviceSpec.provider(DeviceSpec.parse("gpu")));
    }
}
