package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Set;
import org.dsv3.runner.generate.json.JsonSchema;

/** A chat request's {@code response_format}, checked and compiled; every problem is a 400 naming the field. */
final class ResponseFormat {
    private ResponseFormat() {
    }

    /**
     * {@code response_format}: {@code text} (the default: {@code null}), {@code json_object} (any
     * object) or {@code json_schema} ({@code {"name", "schema", "strict", "description"}}).
     */
    static JsonSchema parse(JsonNode f) {
        if (f == null || f.isNull()) {
            return null;
        }
        if (!f.isObject() || !f.path("type").isTextual()) {
            throw ApiError.invalid("response_format", "response_format must be an object with a type");
        }
        for (Iterator<String> it = f.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!k.equals("type") && !k.equals("json_schema")) {
                throw ApiError.invalid("response_format." + k, "response_format." + k + " is not supported");
            }
        }
        return switch (f.get("type").asText()) {
            case "text" -> null;
            case "json_object" -> JsonSchema.ANY_OBJECT;
            case "json_schema" -> {
                JsonNode js = f.get("json_schema");
                if (js == null || !js.isObject()) {
                    throw ApiError.invalid("response_format.json_schema", "response_format.json_schema must be an object"
                            + " {\"name\", \"schema\", \"strict\"}");
                }
                for (Iterator<String> it = js.fieldNames(); it.hasNext(); ) {
                    String k = it.next();
                    if (!Set.of("name", "schema", "strict", "description").contains(k)) {
                        throw ApiError.invalid("response_format.json_schema." + k, "response_format.json_schema." + k + " is not supported");
                    }
                }
                if (!js.path("name").isTextual() || !ToolFields.FUNCTION_NAME.matcher(js.get("name").asText()).matches()) {
                    throw ApiError.invalid("response_format.json_schema.name", "response_format.json_schema.name must be 1 to 64"
                            + " letters, digits, '_', '.' or '-'");
                }
                JsonNode schema = js.get("schema");
                if (schema == null || schema.isNull()) {
                    yield JsonSchema.ANY;
                }
                try {
                    yield JsonSchema.compile(schema);
                } catch (JsonSchema.UnsupportedSchemaException e) {
                    throw ApiError.invalid("response_format.json_schema." + e.path(), "response_format.json_schema."
                            + e.getMessage());
                }
            }
            default -> throw ApiError.invalid("response_format.type", "response_format.type must be \"text\", \"json_object\""
                    + " or \"json_schema\", got \"" + f.get("type").asText() + "\"");
        };
    }
}
