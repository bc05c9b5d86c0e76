package org.dsv3.runner.report;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dsv3.runner.UserError;

/**
 * Reads benchmark result files: a JSON array of rows ({@code -o json}), one row per line
 * ({@code -o jsonl}), or several of either one after the other (results appended with {@code >>});
 * or CSV with a header line ({@code -o csv}).
 * Every row is checked; the first problem is reported with the file and the line it is on.
 */
public final class ResultFiles {
    /** Bare NaN and Infinity (as Python's json module writes them) are read, as figures that do not apply. */
    private static final ObjectMapper MAPPER = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private ResultFiles() {
    }

    /** Every row of the file, in order. */
    public static List<ResultRow> read(Path path) throws IOException {
        String file = path.toString();
        if (Files.isDirectory(path)) {
            throw new UserError(file + ": a directory, not a result file");
        }
        String text = Files.readString(path, StandardCharsets.UTF_8);
        String start = text.stripLeading();
        if (start.isEmpty()) {
            throw new UserError(file + ": the file is empty (no result rows)");
        }
        char first = start.charAt(0);
        if (first != '[' && first != '{') {
            String head = start.lines().findFirst().orElse("");
            if (first != '|' && head.contains(",")) { // a Markdown table starts with '|'; CSV has commas
                return nonEmpty(file, CsvRows.read(file, text));
            }
            int line = 1 + (int) text.substring(0, text.length() - start.length()).chars().filter(c -> c == '\n').count();
            throw ResultRow.error(file, line, "not a JSON or CSV result file (it starts with '"
                    + head.substring(0, Math.min(20, head.length())) + "'); write results with -o json, -o jsonl or -o csv");
        }
        List<ResultRow> rows = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8); JsonParser p = MAPPER.createParser(r)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.START_ARRAY) {
                    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                        rows.add(row(p, t, file));
                    }
                } else {
                    rows.add(row(p, t, file));
                }
            }
        } catch (JsonProcessingException e) {
            int line = e.getLocation() != null ? e.getLocation().getLineNr() : 0;
            throw ResultRow.error(file, line, "not valid JSON: " + e.getOriginalMessage());
        }
        return nonEmpty(file, rows);
    }

    private static List<ResultRow> nonEmpty(String file, List<ResultRow> rows) {
        if (rows.isEmpty()) {
            throw new UserError(file + ": no result rows");
        }
        return rows;
    }

    private static ResultRow row(JsonParser p, JsonToken t, String file) throws IOException {
        int line = p.currentTokenLocation().getLineNr();
        if (t == null) {
            throw ResultRow.error(file, line, "the file ends inside an array");
        }
        if (t != JsonToken.START_OBJECT) {
            throw ResultRow.error(file, line, "a result row must be a JSON object, found "
                    + (t == JsonToken.START_ARRAY ? "an array" : p.getText()));
        }
        JsonNode node = p.readValueAsTree();
        return ResultRow.of(file, line, (ObjectNode) node);
    }
}
