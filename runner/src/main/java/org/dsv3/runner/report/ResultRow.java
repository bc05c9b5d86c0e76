package org.dsv3.runner.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.dsv3.runner.UserError;
import org.dsv3.runner.bench.BenchTest;

/**
 * One benchmark result read back from a file: a row of {@code dsv3 bench -o json|jsonl} or of
 * llama.cpp's {@code llama-bench -o json|jsonl}, which share the core field names.
 *
 * @param file   the file it was read from, as given
 * @param line   the line its object starts on (1-based)
 * @param test   the test, from {@code n_prompt}, {@code n_gen} and {@code n_depth}
 * @param fields the row as read
 */
public record ResultRow(String file, int line, BenchTest test, ObjectNode fields) {

    /** Fields every row must have: what llama-bench and {@code dsv3 bench} both write. */
    static final String[] REQUIRED = {"model_filename", "n_prompt", "n_gen", "avg_ts", "stddev_ts"};

    /** Checks the fields a row needs and names the first one that is missing or of the wrong type. */
    static ResultRow of(String file, int line, ObjectNode fields) {
        for (String name : REQUIRED) {
            JsonNode v = fields.get(name);
            if (v == null || v.isNull()) {
                throw error(file, line, "the field '" + name + "' is missing (a result row needs "
                        + String.join(", ", REQUIRED) + ")");
            }
        }
        text(file, line, fields, "model_filename");
        int prompt = integer(file, line, fields, "n_prompt");
        int gen = integer(file, line, fields, "n_gen");
        int depth = fields.hasNonNull("n_depth") ? integer(file, line, fields, "n_depth") : 0;
        BenchTest test;
        try {
            test = new BenchTest(prompt, gen, depth);
        } catch (IllegalArgumentException e) {
            throw error(file, line, e.getMessage());
        }
        ResultRow row = new ResultRow(file, line, test, fields);
        row.number("avg_ts");
        row.number("stddev_ts");
        return row;
    }

    /** The field as text ("" when absent or null); numbers and booleans as JSON writes them. */
    public String text(String name) {
        JsonNode v = fields.get(name);
        return v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : v.toString();
    }

    /**
     * The field as a number: {@code null} when absent, null or not finite (a figure that does not apply), an
     * error naming the file, line and field when it holds something else.
     */
    public Double number(String name) {
        JsonNode v = fields.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw error(file, line, "the field '" + name + "' is not a number: " + v);
        }
        return Double.isFinite(v.asDouble()) ? v.asDouble() : null;
    }

    /** Whether the row holds a number in this field. */
    public boolean hasNumber(String name) {
        JsonNode v = fields.get(name);
        return v != null && v.isNumber() && Double.isFinite(v.asDouble());
    }

    private static void text(String file, int line, ObjectNode fields, String name) {
        if (!fields.get(name).isTextual()) {
            throw error(file, line, "the field '" + name + "' is not a string: " + fields.get(name));
        }
    }

    private static int integer(String file, int line, ObjectNode fields, String name) {
        JsonNode v = fields.get(name);
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw error(file, line, "the field '" + name + "' is not a whole number: " + v);
        }
        return v.asInt();
    }

    static UserError error(String file, int line, String message) {
        return new UserError(file + " line " + line + ": " + message);
    }
}
