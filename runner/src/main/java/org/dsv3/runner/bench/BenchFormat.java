package org.dsv3.runner.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** llama-bench's output formats ({@code -o}): a Markdown table, a JSON array, JSON lines, CSV. */
public enum BenchFormat {
    MD, JSON, JSONL, CSV;

    /** {@code md}, {@code json}, {@code jsonl} or {@code csv}, any case. */
    public static BenchFormat parse(String s) {
        for (BenchFormat f : values()) {
            if (f.name().equalsIgnoreCase(s.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("-o/--output: unknown format '" + s + "' (md, json, jsonl or csv)");
    }

    /** Writes the rows in this format. */
    public void write(PrintWriter out, List<BenchRow> rows) {
        switch (this) {
            case MD -> MarkdownTable.write(out, rows);
            case JSON -> out.println(json(rows.stream().map(BenchRow::fields).toList(), true));
            case JSONL -> rows.forEach(r -> out.println(json(r.fields(), false)));
            case CSV -> writeCsv(out, rows);
        }
        out.flush();
    }

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static String json(Object value, boolean indent) {
        try {
            return (indent ? MAPPER.copy().enable(SerializationFeature.INDENT_OUTPUT) : MAPPER).writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * RFC 4180 CSV, every value quoted as llama-bench writes it; a header of {@link BenchRow#FIELDS};
     * the sample lists joined with ';'; a figure that does not apply is an empty field.
     */
    private static void writeCsv(PrintWriter out, List<BenchRow> rows) {
        out.println(String.join(",", BenchRow.FIELDS));
        for (BenchRow r : rows) {
            Map<String, Object> f = r.fields();
            List<String> cells = new ArrayList<>();
            for (String name : BenchRow.FIELDS) {
                cells.add(quote(csvValue(f.get(name))));
            }
            out.println(String.join(",", cells));
        }
    }

    private static String csvValue(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof List<?> list) {
            List<String> parts = new ArrayList<>();
            for (Object x : list) {
                parts.add(csvValue(x));
            }
            return String.join(";", parts);
        }
        if (v instanceof Double d) {
            return String.format(Locale.ROOT, "%.6f", d);
        }
        return v.toString();
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
