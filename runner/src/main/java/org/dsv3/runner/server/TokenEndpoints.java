package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Set;
import org.dsv3.model.tokenizer.Tokenizer;

/**
 * llama-server's {@code POST /tokenize} ({@code {"content", "add_special", "parse_special"}} →
 * {@code {"tokens"}}) and {@code POST /detokenize} ({@code {"tokens"}} → {@code {"content"}}).
 * Token ids must lie in the vocabulary; sizes are bounded by the body limit.
 */
final class TokenEndpoints {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final Tokenizer tokenizer;

    TokenEndpoints(Tokenizer tokenizer) {
        this.tokenizer = tokenizer;
    }

    ObjectNode tokenize(JsonNode body) {
        only(body, Set.of("content", "add_special", "parse_special"), "/tokenize");
        JsonNode content = body.get("content");
        if (content == null || !content.isTextual()) {
            throw ApiError.invalid("content", "content must be a string");
        }
        boolean addSpecial = flag(body, "add_special", false);
        boolean parseSpecial = flag(body, "parse_special", true);
        ObjectNode out = F.objectNode();
        ArrayNode tokens = out.putArray("tokens");
        for (int id : tokenizer.encode(content.asText(), parseSpecial, addSpecial && tokenizer.addBosToken())) {
            tokens.add(id);
        }
        return out;
    }

    ObjectNode detokenize(JsonNode body) {
        only(body, Set.of("tokens"), "/detokenize");
        JsonNode list = body.get("tokens");
        if (list == null || !list.isArray()) {
            throw ApiError.invalid("tokens", "tokens must be an array of token ids");
        }
        int[] ids = new int[list.size()];
        int vocab = tokenizer.vocabSize();
        for (int i = 0; i < ids.length; i++) {
            JsonNode t = list.get(i);
            if (!t.isIntegralNumber() || !t.canConvertToInt() || t.asInt() < 0 || t.asInt() >= vocab) {
                throw ApiError.invalid("tokens[" + i + "]", "tokens[" + i + "] must be a token id from 0 to "
                        + (vocab - 1) + ", got " + t);
            }
            ids[i] = t.asInt();
        }
        return F.objectNode().put("content", tokenizer.decode(ids));
    }

    private static void only(JsonNode body, Set<String> known, String endpoint) {
        for (Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String f = names.next();
            if (!known.contains(f)) {
                throw ApiError.invalid(f, "unsupported_parameter", "'" + f + "' is not supported by " + endpoint);
            }
        }
    }

    private static boolean flag(JsonNode body, String field, boolean otherwise) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw ApiError.invalid(field, field + " must be a boolean");
        }
        return v.asBoolean();
    }
}
