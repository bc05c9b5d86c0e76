package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dsv3.model.backend.BackendException;
import org.junit.jupiter.api.Test;

/** {@code --device tornado:…} is resolved against TornadoVM's devices before a model is loaded. */
class DeviceCheckTest {
    private final TornadoBackendProvider provider = new TornadoBackendProvider();

    @Test
    void theDefaultAndTheFirstDeviceResolve() {
        assertDoesNotThrow(() -> provider.checkDevice(""));
        assertDoesNotThrow(() -> provider.checkDevice("0:0"));
    }

    @Test
    void anUnknownBackendOrDeviceIsNamedWithTheDevicesThatExist() {
        BackendException noBackend = assertThrows(BackendException.class, () -> provider.checkDevice("warp:0"));
        assertTrue(noBackend.getMessage().contains("no 'warp' backend") && noBackend.getMessage().contains("devices here: 0:0"),
                noBackend.getMessage());
        BackendException noDevice = assertThrows(BackendException.class, () -> provider.checkDevice("0:99"));
        assertTrue(noDevice.getMessage().contains("has no device 99"), noDevice.getMessage());
        BackendException notANumber = assertThrows(BackendException.class, () -> provider.checkDevice("0:x"));
        assertTrue(notANumber.getMessage().contains("is not a number"), notANumber.getMessage());
    }
}
