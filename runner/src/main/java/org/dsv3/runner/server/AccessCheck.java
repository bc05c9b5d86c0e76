package org.dsv3.runner.server;

import io.javalin.http.Context;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Who may use the API. With an API key, every endpoint but {@code /health} needs
 * {@code Authorization: Bearer <key>} (401 otherwise). Against DNS rebinding, a server bound to
 * loopback answers only requests whose {@code Host} names loopback; and a request carrying an
 * {@code Origin} (a browser page) is refused unless that origin is the server itself or one that
 * {@link CorsPolicy} allows.
 */
final class AccessCheck {
    private final byte[] apiKey;
    private final boolean loopbackOnly;
    private final CorsPolicy cors;

    /** @param apiKey the key, or {@code null} for none */
    AccessCheck(String apiKey, String bindHost) {
        this(apiKey, bindHost, CorsPolicy.NONE);
    }

    /** With the origins of {@code cors} allowed besides the server's own. */
    AccessCheck(String apiKey, String bindHost, CorsPolicy cors) {
        this.apiKey = apiKey == null ? null : apiKey.getBytes(StandardCharsets.UTF_8);
        this.loopbackOnly = isLoopbackName(bindHost);
        this.cors = cors;
    }

    static boolean isLoopbackName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost") || h.endsWith(".localhost") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1")
                || h.matches("127(\\.\\d{1,3}){3}");
    }

    /** The host part of a {@code Host} header value ({@code name}, {@code name:port}, {@code [v6]:port}). */
    static String hostPart(String hostHeader) {
        String h = hostHeader.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(0, end + 1) : h;
        }
        int colon = h.indexOf(':');
        return colon >= 0 ? h.substring(0, colon) : h;
    }

    void check(Context ctx) {
        String host = ctx.header("Host");
        if (loopbackOnly && (host == null || !isLoopbackName(hostPart(host)))) {
            throw new ApiError(403, "invalid_request_error", null, "forbidden_host",
                    "this server listens on loopback only and answers requests for localhost; Host '" + host + "' is refused");
        }
        String origin = ctx.header("Origin");
        if (origin != null && !sameOrigin(origin, host) && !cors.allows(origin)) {
            throw new ApiError(403, "invalid_request_error", null, "forbidden_origin",
                    "requests from web pages of another origin are refused (Origin '" + origin + "')"
                            + (cors.enabled() ? "; it is not one of --cors-origin" : ""));
        }
        cors.decorate(ctx); // errors below (a 401) reach the page too, so it can tell the user
        if (cors.isPreflight(ctx)) {
            return; // a preflight never carries the key: ApiServer answers it
        }
        if (apiKey != null && !ctx.path().equals("/health") && !isPage(ctx)) {
            String auth = ctx.header("Authorization");
            String given = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).trim() : null;
            if (given == null || !MessageDigest.isEqual(apiKey, given.getBytes(StandardCharsets.UTF_8))) {
                throw new ApiError(401, "invalid_request_error", null, "invalid_api_key",
                        given == null ? "this server needs an API key: send 'Authorization: Bearer <key>'"
                                : "the API key is not valid");
            }
        }
    }

    /**
     * The chat page itself holds no data, so it loads without the key (the page asks for it and
     * sends it with every API call); Host and Origin are checked for it all the same.
     */
    private static boolean isPage(Context ctx) {
        return ctx.path().equals("/") && io.javalin.http.HandlerType.GET.equals(ctx.method());
    }

    /** Whether a page at {@code origin} is this server: same host and port as the request's {@code Host}. */
    static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI page = URI.create(origin.trim());
            URI self = URI.create("http://" + host.trim());
            if (page.getHost() == null || self.getHost() == null) {
                return false;
            }
            int pagePort = page.getPort() >= 0 ? page.getPort() : "https".equalsIgnoreCase(page.getScheme()) ? 443 : 80;
            int selfPort = self.getPort() >= 0 ? self.getPort() : 80;
            return page.getHost().equalsIgnoreCase(self.getHost()) && pagePort == selfPort;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
