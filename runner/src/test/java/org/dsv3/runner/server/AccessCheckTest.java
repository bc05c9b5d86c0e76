package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which hosts count as loopback, which origins as the server itself, when the server warns. */
class AccessCheckTest {

    @Test
    void loopbackNames() {
        for (String h : new String[] {"localhost", "LOCALHOST", "app.localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"}) {
            assertTrue(AccessCheck.isLoopbackName(h), h);
        }
        for (String h : new String[] {"0.0.0.0", "10.0.0.1", "attacker.example", "localhost.attacker.example",
                "127.0.0.1.nip.io", "::", "[::]", "1270.0.0.1"}) {
            assertFalse(AccessCheck.isLoopbackName(h), h);
        }
    }

    @Test
    void hostHeaderParts() {
        assertTrue(AccessCheck.hostPart("127.0.0.1:8080").equals("127.0.0.1"));
        assertTrue(AccessCheck.hostPart("[::1]:8080").equals("[::1]"));
        assertTrue(AccessCheck.hostPart("localhost").equals("localhost"));
    }

    @Test
    void sameOriginMeansSameHostAndPort() {
        assertTrue(AccessCheck.sameOrigin("http://localhost:8080", "localhost:8080"));
        assertTrue(AccessCheck.sameOrigin("http://127.0.0.1", "127.0.0.1"));
        assertFalse(AccessCheck.sameOrigin("http://localhost:3000", "localhost:8080"));
        assertFalse(AccessCheck.sameOrigin("http://attacker.example:8080", "localhost:8080"));
        assertFalse(AccessCheck.sameOrigin("null", "localhost:8080"));
        assertFalse(AccessCheck.sameOrigin("http://localhost:8080", null));
    }

    @Test
    void theServerKnowsWhenItReachesBeyondThisMachine() {
        assertFalse(new ServerConfig("127.0.0.1", 0, 1, 0, ServerConfig.DEFAULT_MAX_BODY, "m").beyondLoopback());
        assertTrue(new ServerConfig("0.0.0.0", 0, 1, 0, ServerConfig.DEFAULT_MAX_BODY, "m").beyondLoopback());
        assertTrue(new ServerConfig("192.168.1.5", 0, 1, 0, ServerConfig.DEFAULT_MAX_BODY, "m").beyondLoopback());
    }
}
