package org.dsv3.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dsv3.model.backend.Backends;
import org.junit.jupiter.api.Test;

class BackendsTest {

    @Test
    void cpuProviderIsFoundByServiceLoader() {
        assertInstanceOf(CpuBackendProvider.class, Backends.provider("cpu"));
        assertInstanceOf(CpuBackendProvider.class, Backends.provider("CPU"));
    }

    @Test
    void unknownDeviceNamesTheAvailableOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backends.provider("cuda"));
        assertTrue(e.getMessage().contains("'cuda'") && e.getMessage().contains("available: cpu"), e.getMessage());
        assertEquals(1, Backends.all().size());
    }
}
