package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * {@link Logprobs} entries in OpenAI's two shapes: the chat one ({@code {"content": [{token,
 * logprob, bytes, top_logprobs}], "refusal": null}}) and the legacy completions one
 * ({@code tokens}, {@code token_logprobs}, {@code top_logprobs} as token → logprob objects,
 * {@code text_offset}).
 */
final class LogprobJson {
    /** What OpenAI writes for a log-probability too small to show (a banned token was drawn). */
    private static final double FLOOR = -9999.0;
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private LogprobJson() {
    }

    /** The {@code logprobs} of a choice; {@code null} (JSON null) when there are no entries. */
    static JsonNode of(boolean chat, Logprobs source, List<Logprobs.Entry> entries) {
        if (entries.isEmpty()) {
            return F.nullNode();
        }
        return chat ? chat(source, entries) : legacy(source, entries);
    }

    private static ObjectNode chat(Logprobs source, List<Logprobs.Entry> entries) {
        ObjectNode root = F.objectNode();
        ArrayNode content = root.putArray("content");
        for (Logprobs.Entry e : entries) {
            ObjectNode item = token(content.addObject(), source, e.token(), e.logprob());
            ArrayNode top = item.putArray("top_logprobs");
            for (Logprobs.Choice c : e.top()) {
                token(top.addObject(), source, c.token(), c.logprob());
            }
        }
        root.putNull("refusal");
        return root;
    }

    private static ObjectNode token(ObjectNode o, Logprobs source, int token, double logprob) {
        o.put("token", source.text(token));
        o.put("logprob", finite(logprob));
        ArrayNode bytes = o.putArray("bytes");
        for (int b : source.bytes(token)) {
            bytes.add(b);
        }
        return o;
    }

    private static ObjectNode legacy(Logprobs source, List<Logprobs.Entry> entries) {
        ObjectNode root = F.objectNode();
        ArrayNode tokens = root.putArray("tokens");
        ArrayNode logprobs = root.putArray("token_logprobs");
        ArrayNode top = root.putArray("top_logprobs");
        ArrayNode offsets = root.putArray("text_offset");
        for (Logprobs.Entry e : entries) {
            tokens.add(source.text(e.token()));
            offsets.add(e.offset());
            if (e.logprob() == null) {
                logprobs.addNull();
                top.addNull();
                continue;
            }
            logprobs.add(finite(e.logprob()));
            ObjectNode alternatives = top.addObject();
            for (Logprobs.Choice c : e.top()) {
                String text = source.text(c.token());
                if (!alternatives.has(text)) { // two tokens of one text (pieces of characters): the likelier one
                    alternatives.put(text, finite(c.logprob()));
                }
            }
        }
        return root;
    }

    private static double finite(double logprob) {
        return Double.isFinite(logprob) ? logprob : FLOOR;
    }
}
