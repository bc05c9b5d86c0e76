package org.dsv3.runner.server;

import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web chat page at {@code /}: one self-contained HTML resource (its script and style inline, nothing
 * loaded from elsewhere) that streams from {@code /v1/chat/completions}. It is sent with a
 * Content-Security-Policy that allows exactly its own inline script and style (by their SHA-256
 * hashes) and connections to this server only, so even a rendering bug could not run foreign script.
 */
final class ChatPage {
    static final String RESOURCE = "chat.html";
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);
    private static final Pattern STYLE = Pattern.compile("<style>(.*?)</style>", Pattern.DOTALL);

    private final byte[] html;
    private final String policy;

    ChatPage() {
        try (InputStream in = ChatPage.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the chat page resource " + RESOURCE + " is missing from the runner's jar");
            }
            html = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the chat page resource " + RESOURCE, e);
        }
        String text = new String(html, StandardCharsets.UTF_8);
        policy = "default-src 'none'; script-src " + hash(SCRIPT, text) + "; style-src " + hash(STYLE, text)
                + "; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /** The CSP source for the one block {@code p} matches: {@code 'sha256-…'} of its exact text. */
    private static String hash(Pattern p, String page) {
        Matcher m = p.matcher(page);
        if (!m.find()) {
            throw new IllegalStateException("the chat page has no " + p.pattern() + " block");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(m.group(1).getBytes(StandardCharsets.UTF_8));
            return "'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    String contentSecurityPolicy() {
        return policy;
    }

    void serve(Context ctx) {
        ctx.status(200)
                .contentType("text/html; charset=utf-8")
                .header("Content-Security-Policy", policy)
                .header("X-Content-Type-Options", "nosniff")
                .header("Referrer-Policy", "no-referrer")
                .header("Cache-Control", "no-cache")
                .result(html);
    }
}
