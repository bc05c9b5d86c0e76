package org.dsv3.runner.generate.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of a JSON Schema that {@link JsonAutomaton} enforces while the model writes, compiled from
 * the schema's JSON: {@code type} (one or a list), {@code properties}, {@code required},
 * {@code additionalProperties} (false, true or a schema), {@code items}, {@code minItems},
 * {@code maxItems}, {@code enum}, {@code const}, {@code minLength}, {@code maxLength}. Annotations
 * ({@code title}, {@code description}, {@code default}, {@code examples}, {@code $schema}, {@code $id},
 * {@code $comment}) are ignored; any other keyword is refused with {@link UnsupportedSchemaException},
 * so that nothing the schema asks for is silently left unenforced.
 */
public final class JsonSchema {
    public enum Type { OBJECT, ARRAY, STRING, NUMBER, INTEGER, BOOLEAN, NULL }

    private static final Set<String> ANNOTATIONS = Set.of("title", "description", "default", "examples", "$schema",
            "$id", "$comment", "format");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Any JSON value. */
    public static final JsonSchema ANY = new JsonSchema(EnumSet.allOf(Type.class), Map.of(), Set.of(), false, null, null,
            0, Integer.MAX_VALUE, null, 0, Integer.MAX_VALUE);
    /** Any JSON object (OpenAI's {@code json_object} mode). */
    public static final JsonSchema ANY_OBJECT = new JsonSchema(EnumSet.of(Type.OBJECT), Map.of(), Set.of(), false, null, null,
            0, Integer.MAX_VALUE, null, 0, Integer.MAX_VALUE);

    final Set<Type> types;
    /** Named properties in schema order. */
    final Map<String, JsonSchema> properties;
    final Set<String> required;
    /** No properties but the named ones ({@code additionalProperties: false}). */
    final boolean closed;
    /** The schema of other properties ({@code null}: any value). */
    private final JsonSchema additional;
    /** The schema of array items ({@code null}: any value). */
    private final JsonSchema items;
    final int minItems;
    final int maxItems;
    /** The allowed values as compact JSON texts (UTF-8); {@code null} for no enumeration. */
    final List<byte[]> enumTexts;
    final int minLength;
    final int maxLength;

    private JsonSchema(Set<Type> types, Map<String, JsonSchema> properties, Set<String> required, boolean closed,
                       JsonSchema additional, JsonSchema items, int minItems, int maxItems, List<byte[]> enumTexts,
                       int minLength, int maxLength) {
        this.types = types;
        this.properties = properties;
        this.required = required;
        this.closed = closed;
        this.additional = additional;
        this.items = items;
        this.minItems = minItems;
        this.maxItems = maxItems;
        this.enumTexts = enumTexts;
        this.minLength = minLength;
        this.maxLength = maxLength;
    }

    boolean allows(Type t) {
        return types.contains(t);
    }

    /** The schema of the value of property {@code name}, or {@code null} when the object may not have it. */
    JsonSchema property(String name) {
        JsonSchema s = properties.get(name);
        return s != null ? s : closed ? null : additional != null ? additional : ANY;
    }

    JsonSchema items() {
        return items != null ? items : ANY;
    }

    /**
     * Compiles {@code schema}.
     *
     * @throws UnsupportedSchemaException naming the path of a keyword that is not supported or not valid
     */
    public static JsonSchema compile(JsonNode schema) {
        return compile(schema, "schema", 0);
    }

    private static JsonSchema compile(JsonNode s, String path, int depth) {
        if (depth > 32) {
            throw new UnsupportedSchemaException(path, "the schema nests deeper than 32 levels");
        }
        if (s.isBoolean()) {
            if (s.asBoolean()) {
                return ANY;
            }
            throw new UnsupportedSchemaException(path, "false (no value allowed) cannot be generated");
        }
        if (!s.isObject()) {
            throw new UnsupportedSchemaException(path, "a schema must be an object or a boolean");
        }
        for (Iterator<String> it = s.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!ANNOTATIONS.contains(k) && !Set.of("type", "properties", "required", "additionalProperties", "items",
                    "minItems", "maxItems", "enum", "const", "minLength", "maxLength").contains(k)) {
                throw new UnsupportedSchemaException(path + "." + k, "the keyword '" + k + "' is not supported");
            }
        }
        Set<Type> types = types(s.get("type"), path);
        List<byte[]> enumTexts = null;
        if (s.has("enum") || s.has("const")) {
            List<JsonNode> values = new ArrayList<>();
            if (s.has("const")) {
                values.add(s.get("const"));
            } else {
                if (!s.get("enum").isArray() || s.get("enum").isEmpty()) {
                    throw new UnsupportedSchemaException(path + ".enum", "enum must be a non-empty array");
                }
                s.get("enum").forEach(values::add);
            }
            enumTexts = new ArrayList<>();
            for (JsonNode v : values) {
                enumTexts.add(compact(v));
            }
        }
        Map<String, JsonSchema> props = new LinkedHashMap<>();
        JsonNode p = s.get("properties");
        if (p != null) {
            if (!p.isObject()) {
                throw new UnsupportedSchemaException(path + ".properties", "properties must be an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                props.put(e.getKey(), compile(e.getValue(), path + ".properties." + e.getKey(), depth + 1));
            }
        }
        Set<String> required = new LinkedHashSet<>();
        JsonNode r = s.get("required");
        if (r != null) {
            if (!r.isArray()) {
                throw new UnsupportedSchemaException(path + ".required", "required must be an array of property names");
            }
            for (JsonNode n : r) {
                if (!n.isTextual()) {
                    throw new UnsupportedSchemaException(path + ".required", "required must be an array of property names");
                }
                required.add(n.asText());
            }
        }
        JsonSchema additional = null;
        boolean closed = false;
        JsonNode a = s.get("additionalProperties");
        if (a != null) {
            closed = a.isBoolean() && !a.asBoolean();
            additional = closed ? null : compile(a, path + ".additionalProperties", depth + 1);
        }
        for (String name : required) {
            if (!props.containsKey(name) && closed) {
                throw new UnsupportedSchemaException(path + ".required", "'" + name + "' is required but not allowed");
            }
        }
        JsonSchema items = s.has("items") ? compile(s.get("items"), path + ".items", depth + 1) : null;
        int minItems = count(s, "minItems", path, 0);
        int maxItems = count(s, "maxItems", path, Integer.MAX_VALUE);
        int minLength = count(s, "minLength", path, 0);
        int maxLength = count(s, "maxLength", path, Integer.MAX_VALUE);
        if (minItems > maxItems || minLength > maxLength) {
            throw new UnsupportedSchemaException(path, "a minimum is above its maximum");
        }
        return new JsonSchema(types, props, required, closed, additional, items, minItems, maxItems, enumTexts, minLength, maxLength);
    }

    private static Set<Type> types(JsonNode t, String path) {
        if (t == null) {
            return EnumSet.allOf(Type.class);
        }
        Set<Type> out = EnumSet.noneOf(Type.class);
        List<JsonNode> names = new ArrayList<>();
        if (t.isArray()) {
            t.forEach(names::add);
        } else {
            names.add(t);
        }
        for (JsonNode n : names) {
            Type type = switch (n.asText("")) {
                case "object" -> Type.OBJECT;
                case "array" -> Type.ARRAY;
                case "string" -> Type.STRING;
                case "number" -> Type.NUMBER;
                case "integer" -> Type.INTEGER;
                case "boolean" -> Type.BOOLEAN;
                case "null" -> Type.NULL;
                default -> throw new UnsupportedSchemaException(path + ".type", "unknown type " + n);
            };
            out.add(type);
        }
        if (out.isEmpty()) {
            throw new UnsupportedSchemaException(path + ".type", "type must name at least one type");
        }
        return out;
    }

    private static int count(JsonNode s, String key, String path, int otherwise) {
        JsonNode v = s.get(key);
        if (v == null) {
            return otherwise;
        }
        if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE) {
            throw new UnsupportedSchemaException(path + "." + key, key + " must be a non-negative integer");
        }
        return v.asInt();
    }

    private static byte[] compact(JsonNode v) {
        try {
            return JSON.writeValueAsString(v).getBytes(StandardCharsets.UTF_8);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A schema keyword this engine does not enforce, or an invalid one. */
    public static final class UnsupportedSchemaException extends RuntimeException {
        private final String path;

        UnsupportedSchemaException(String path, String message) {
            super(path + ": " + message);
            this.path = path;
        }

        public String path() {
            return path;
        }
    }
}
