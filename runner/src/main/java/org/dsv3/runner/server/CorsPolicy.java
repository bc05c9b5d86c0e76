package org.dsv3.runner.server;

import io.javalin.http.Context;
import java.net.URI;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Cross-origin access, opt-in ({@code --cors-origin}): web pages of the listed origins may call the
 * API. A request whose {@code Origin} is listed passes the origin check and its answer carries
 * {@code Access-Control-Allow-Origin} (that origin, or {@code *}) and {@code Vary: Origin}; a preflight
 * ({@code OPTIONS} with {@code Access-Control-Request-Method}) from such an origin is answered 204 with
 * the methods and headers allowed. Other origins get no CORS header at all (and the 403 of
 * {@link AccessCheck}). No credentials (cookies) are ever allowed: the API key travels in
 * {@code Authorization}, which a page must send itself.
 */
public final class CorsPolicy {
    public static final String ANY = "*";
    static final String METHODS = "GET, POST, OPTIONS";
    static final String HEADERS = "Authorization, Content-Type";
    /** Seconds a browser may keep a preflight's answer. */
    static final int MAX_AGE = 600;
    static final CorsPolicy NONE = new CorsPolicy(List.of());

    private final Set<String> origins;
    private final boolean any;

    /** @param origins normalized origins ({@link #normalize}) or {@link #ANY} */
    CorsPolicy(List<String> origins) {
        this.origins = new LinkedHashSet<>(origins);
        this.any = this.origins.contains(ANY);
    }

    boolean enabled() {
        return !origins.isEmpty();
    }

    /**
     * An origin as browsers send it: {@code scheme://host[:port]}, lower case, the default port left
     * out; {@code *} stays itself.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String normalize(String origin) {
        String o = origin.trim();
        if (o.equals(ANY)) {
            return ANY;
        }
        URI u;
        try {
            u = URI.create(o);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--cors-origin '" + origin + "' is not an origin such as https://example.org:8443");
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        boolean bare = (u.getRawPath() == null || u.getRawPath().isEmpty()) && u.getRawQuery() == null
                && u.getRawFragment() == null && u.getRawUserInfo() == null;
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || !bare) {
            throw new IllegalArgumentException("--cors-origin '" + origin
                    + "' is not an origin: give scheme://host[:port] (http or https, no path), e.g. https://example.org:8443");
        }
        int port = u.getPort();
        boolean defaultPort = port < 0 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        return scheme + "://" + u.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    /** Whether a page at {@code origin} (the request's header) may call the API. */
    boolean allows(String origin) {
        if (origin == null || origins.isEmpty()) {
            return false;
        }
        if (any) {
            return true;
        }
        try {
            return origins.contains(normalize(origin));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether the request is a CORS preflight of an allowed origin. */
    boolean isPreflight(Context ctx) {
        return io.javalin.http.HandlerType.OPTIONS.equals(ctx.method()) && ctx.header("Access-Control-Request-Method") != null
                && allows(ctx.header("Origin"));
    }

    /** Adds the CORS headers of an allowed origin's request (nothing for another origin). */
    void decorate(Context ctx) {
        String origin = ctx.header("Origin");
        if (!allows(origin)) {
            return;
        }
        ctx.header("Access-Control-Allow-Origin", any ? ANY : origin);
        ctx.header("Vary", "Origin");
    }

    /** Answers an allowed preflight: 204 with the methods and headers the API accepts. */
    void preflight(Context ctx) {
        decorate(ctx);
        ctx.header("Access-Control-Allow-Methods", METHODS);
        ctx.header("Access-Control-Allow-Headers", HEADERS);
        ctx.header("Access-Control-Max-Age", Integer.toString(MAX_AGE));
        ctx.status(204);
    }
}
