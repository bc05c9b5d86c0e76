package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code --cors-origin}, through raw HTTP: preflights, the headers on answers, and origins left out. */
class CorsTest {
    static final String APP = "https://app.example";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = new TestServer("cpu", 1, 4, 64, "k3y", ServerConfig.DEFAULT_IDLE_TIMEOUT_MS, List.of(APP, "http://localhost:5173"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** One request on its own connection; the answer as text. */
    static String send(TestServer s, String method, String path, String... headers) throws Exception {
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + s.port()
                + "\r\nConnection: close\r\n");
        for (String h : headers) {
            req.append(h).append("\r\n");
        }
        return s.raw(req.append("\r\n").toString(), 5000);
    }

    static int status(String response) {
        return Integer.parseInt(response.substring(9, 12));
    }

    /** The value of a header of the answer, or {@code null}. */
    static String header(String response, String name) {
        String head = response.substring(0, response.indexOf("\r\n\r\n"));
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                return line.substring(colon + 1).trim();
            }
        }
        return null;
    }

    static boolean anyCorsHeader(String response) {
        return response.substring(0, response.indexOf("\r\n\r\n")).toLowerCase(Locale.ROOT).contains("access-control-");
    }

    @Test
    void aPreflightOfAnAllowedOriginIsAnsweredWithoutTheKey() throws Exception {
        String r = send(server, "OPTIONS", "/v1/chat/completions", "Origin: " + APP,
                "Access-Control-Request-Method: POST", "Access-Control-Request-Headers: authorization, content-type");
        assertEquals(204, status(r), r);
        assertEquals(APP, header(r, "Access-Control-Allow-Origin"));
        assertTrue(header(r, "Access-Control-Allow-Methods").contains("POST"), r);
        String allowed = header(r, "Access-Control-Allow-Headers").toLowerCase(Locale.ROOT);
        assertTrue(allowed.contains("authorization") && allowed.contains("content-type"), r);
        assertEquals("Origin", header(r, "Vary"));
        // the origin as browsers may spell it: the default port written out, capitals
        String other = send(server, "OPTIONS", "/v1/models", "Origin: https://APP.example:443",
                "Access-Control-Request-Method: GET");
        assertEquals(204, status(other), other);
    }

    @Test
    void answersToAnAllowedOriginCarryItsHeaderErrorsIncluded() throws Exception {
        String r = send(server, "GET", "/v1/models", "Origin: http://localhost:5173", "Authorization: Bearer k3y");
        assertEquals(200, status(r), r);
        assertEquals("http://localhost:5173", header(r, "Access-Control-Allow-Origin"));
        String noKey = send(server, "GET", "/v1/models", "Origin: " + APP);
        assertEquals(401, status(noKey), noKey);
        assertEquals(APP, header(noKey, "Access-Control-Allow-Origin"), "the page can read why it failed");
    }

    @Test
    void otherOriginsGetNoCorsHeadersAndTheOriginCheck() throws Exception {
        String r = send(server, "GET", "/v1/models", "Origin: https://evil.example", "Authorization: Bearer k3y");
        assertEquals(403, status(r), r);
        assertTrue(r.contains("forbidden_origin"), r);
        assertFalse(anyCorsHeader(r), r);
        String preflight = send(server, "OPTIONS", "/v1/chat/completions", "Origin: http://app.example",
                "Access-Control-Request-Method: POST");
        assertEquals(403, status(preflight), "another scheme is another origin: " + preflight);
        assertFalse(anyCorsHeader(preflight), preflight);
        String none = send(server, "GET", "/v1/models", "Authorization: Bearer k3y");
        assertEquals(200, status(none), none);
        assertFalse(anyCorsHeader(none), "no Origin, no CORS headers: " + none);
        String plainOptions = send(server, "OPTIONS", "/v1/models", "Authorization: Bearer k3y");
        assertEquals(405, status(plainOptions), plainOptions);
    }

    @Test
    void withoutCorsOriginsNothingChanges() throws Exception {
        try (TestServer plain = new TestServer("cpu", 1, 4, 64)) {
            String r = send(plain, "OPTIONS", "/v1/models", "Origin: " + APP, "Access-Control-Request-Method: GET");
            assertEquals(403, status(r), r);
            assertFalse(anyCorsHeader(r), r);
        }
    }

    @Test
    void anyOriginAnswersStar() throws Exception {
        try (TestServer any = new TestServer("cpu", 1, 4, 64, "k", ServerConfig.DEFAULT_IDLE_TIMEOUT_MS, List.of("*"))) {
            String r = send(any, "GET", "/v1/models", "Origin: https://whoever.example", "Authorization: Bearer k");
            assertEquals(200, status(r), r);
            assertEquals("*", header(r, "Access-Control-Allow-Origin"));
        }
    }
}
