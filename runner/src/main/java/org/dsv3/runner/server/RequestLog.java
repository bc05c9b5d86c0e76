package org.dsv3.runner.server;

import io.javalin.http.Context;
import java.io.PrintStream;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import org.dsv3.runner.generate.GenerationStats;

/**
 * One line per answered request, for the operator:
 * {@code 2026-12-02T14:55:01.123Z 127.0.0.1:51234 POST /v1/chat/completions 200 153.2ms in=24 out=16}.
 * Time (UTC), client address and port, method, path (never the query or the body: no prompt text),
 * status, handling time (for a stream: until its end), prompt tokens and generated tokens ({@code -}
 * for requests that generate nothing). Control characters of a path become {@code ?}, long paths are cut.
 */
final class RequestLog {
    private static final String USAGE = "dsv3.usage";
    private static final int MAX_PATH = 200;

    private final PrintStream out;

    RequestLog(PrintStream out) {
        this.out = out;
    }

    /** Records a generation's token counts for the request's line (several generations add up). */
    static void usage(Context ctx, GenerationStats stats) {
        GenerationStats before = ctx.attribute(USAGE);
        ctx.attribute(USAGE, before == null ? stats : before.plus(stats));
    }

    void log(Context ctx, Float millis) {
        out.println(line(ctx, millis == null ? 0 : millis));
    }

    String line(Context ctx, double millis) {
        GenerationStats usage = ctx.attribute(USAGE);
        String client = ctx.req().getRemoteAddr();
        client = (client.contains(":") ? "[" + client + "]" : client) + ":" + ctx.req().getRemotePort();
        return String.format(Locale.ROOT, "%s %s %s %s %d %.1fms in=%s out=%s",
                Instant.now().truncatedTo(ChronoUnit.MILLIS), client, ctx.method().name(), clean(ctx.path()),
                ctx.statusCode(), millis,
                usage == null ? "-" : Integer.toString(usage.promptTokens()),
                usage == null ? "-" : Integer.toString(usage.generatedTokens()));
    }

    private static String clean(String path) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < path.length() && sb.length() < MAX_PATH; i++) {
            char c = path.charAt(i);
            sb.append(c < 0x21 || c == 0x7f || Character.isISOControl(c) ? '?' : c);
        }
        if (path.length() > MAX_PATH) {
            sb.append('…');
        }
        return sb.toString();
    }
}
