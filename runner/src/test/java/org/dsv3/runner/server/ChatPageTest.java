package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The chat page over plain HTTP: what is sent with it and who may load it. */
class ChatPageTest {

    @Test
    void thePageIsServedAtTheRootWithAPolicyThatAllowsOnlyItsOwnCode() throws Exception {
        try (TestServer s = new TestServer("scripted", 1, 4, 256)) {
            HttpResponse<String> r = s.get("/");
            assertEquals(200, r.statusCode());
            assertEquals("text/html;charset=utf-8", r.headers().firstValue("Content-Type").orElseThrow().replace(" ", "").toLowerCase());
            String csp = r.headers().firstValue("Content-Security-Policy").orElseThrow();
            assertTrue(csp.startsWith("default-src 'none'; script-src 'sha256-"), csp);
            assertTrue(csp.contains("connect-src 'self'"), csp);
            assertFalse(csp.contains("unsafe"), csp);
            assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElseThrow());
            assertTrue(r.body().contains("<title>dsv3 chat</title>"));
        }
    }

    @Test
    void thePageLoadsNothingFromElsewhere() throws Exception {
        String page;
        try (InputStream in = ChatPage.class.getResourceAsStream(ChatPage.RESOURCE)) {
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertFalse(page.contains(" src="), "no script, image or frame source");
        assertFalse(page.contains("<link"), "no style sheet or font link");
        assertFalse(page.contains("@import"));
        assertFalse(page.contains("url("));
        assertEquals(1, page.split("<script>", -1).length - 1, "one inline script");
    }

    @Test
    void withAnApiKeyThePageLoadsButTheApiStillNeedsTheKey() throws Exception {
        try (TestServer s = new TestServer("scripted", 1, 4, 256, "sesame", ServerConfig.DEFAULT_IDLE_TIMEOUT_MS)) {
            assertEquals(200, s.get("/").statusCode());
            assertEquals(401, s.get("/v1/models").statusCode());
            // only the page: other paths and methods still need the key
            assertEquals(401, s.get("/index.html").statusCode());
        }
    }

    @Test
    void thePageIsRefusedToAForeignHostOrOrigin() throws Exception {
        try (TestServer s = new TestServer("scripted", 1, 4, 256)) {
            String host = s.raw("GET / HTTP/1.1\r\nHost: attacker.example\r\nConnection: close\r\n\r\n", 5000);
            assertTrue(host.startsWith("HTTP/1.1 403"), host);
            assertTrue(host.contains("forbidden_host"), host);
            String origin = s.raw("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + s.port()
                    + "\r\nOrigin: http://attacker.example\r\nConnection: close\r\n\r\n", 5000);
            assertTrue(origin.startsWith("HTTP/1.1 403"), origin);
            assertTrue(origin.contains("forbidden_origin"), origin);
        }
    }
}
