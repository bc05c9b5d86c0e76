package org.dsv3.runner.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.dsv3.runner.bench.BenchTest;

/** How {@code dsv3 report} prints the merged table: Markdown, CSV or JSON. */
public enum ReportFormat {
    MD, CSV, JSON;

    /** {@code md}, {@code csv} or {@code json}, any case. */
    public static ReportFormat parse(String s) {
        for (ReportFormat f : values()) {
            if (f.name().equalsIgnoreCase(s.strip())) {
                return f;
            }
        }
        throw new IllegalArgumentException("-o/--output: unknown format '" + s + "' (md, csv or json)");
    }

    public void write(PrintWriter out, Comparison c) {
        switch (this) {
            case MD -> markdown(out, c);
            case CSV -> csv(out, c);
            case JSON -> json(out, c);
        }
        out.flush();
    }

    /**
     * What all columns share on one line each, then a table: a row per test, a column per series,
     * {@code mean ± stddev} in each cell (the mean alone where the files have no deviation).
     */
    private static void markdown(PrintWriter out, Comparison c) {
        Comparison.Metric m = c.metric();
        out.println("**" + m.field() + "**" + (m.unit().isEmpty() ? "" : " (" + m.unit() + ")")
                + (m.stddevField() == null ? "" : ": mean ± standard deviation"));
        for (Map.Entry<String, String> e : c.common().entrySet()) {
            out.println("- " + e.getKey() + ": " + e.getValue());
        }
        out.println();
        List<String> head = new ArrayList<>(List.of("test"));
        c.series().forEach(s -> head.add(s.label().replace("|", "\\|")));
        List<List<String>> rows = new ArrayList<>();
        for (BenchTest t : c.tests()) {
            List<String> row = new ArrayList<>(List.of(t.name()));
            for (int i = 0; i < c.series().size(); i++) {
                Comparison.Cell cell = c.cell(t, i);
                row.add(cell == null ? "" : cell.stddev() == null ? number(cell.value())
                        : number(cell.value()) + " ± " + number(cell.stddev()));
            }
            rows.add(row);
        }
        int[] w = new int[head.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.max(3, head.get(i).length());
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], r.get(i).length());
            }
        }
        line(out, head, w);
        StringBuilder sep = new StringBuilder("|");
        for (int i = 0; i < w.length; i++) {
            sep.append(' ').append(i == 0 ? "-".repeat(w[i]) : "-".repeat(w[i] - 1) + ":").append(" |");
        }
        out.println(sep);
        rows.forEach(r -> line(out, r, w));
    }

    private static void line(PrintWriter out, List<String> cells, int[] w) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < cells.size(); i++) {
            String pad = " ".repeat(w[i] - cells.get(i).length());
            sb.append(' ').append(i == 0 ? cells.get(i) + pad : pad + cells.get(i)).append(" |");
        }
        out.println(sb);
    }

    /** A header of {@code test} and, per column, its label and its label with " stddev"; every value quoted. */
    private static void csv(PrintWriter out, Comparison c) {
        List<String> head = new ArrayList<>(List.of("test"));
        for (Comparison.Series s : c.series()) {
            head.add(s.label());
            head.add(s.label() + " stddev");
        }
        out.println(String.join(",", head.stream().map(ReportFormat::quote).toList()));
        for (BenchTest t : c.tests()) {
            List<String> row = new ArrayList<>(List.of(quote(t.name())));
            for (int i = 0; i < c.series().size(); i++) {
                Comparison.Cell cell = c.cell(t, i);
                row.add(quote(cell == null ? "" : plain(cell.value())));
                row.add(quote(cell == null || cell.stddev() == null ? "" : plain(cell.stddev())));
            }
            out.println(String.join(",", row));
        }
    }

    /**
     * {@code {"metric", "unit", "common": {…}, "columns": [{"label", "parts": {…}, "files": […]}],
     * "rows": [{"test", "n_prompt", "n_gen", "n_depth", "values": [{"value", "stddev"} or null, …]}]}}.
     */
    private static void json(PrintWriter out, Comparison c) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("metric", c.metric().field());
        root.put("unit", c.metric().unit());
        ObjectNode common = root.putObject("common");
        c.common().forEach(common::put);
        ArrayNode columns = root.putArray("columns");
        for (Comparison.Series s : c.series()) {
            ObjectNode col = columns.addObject();
            col.put("label", s.label());
            ObjectNode parts = col.putObject("parts");
            s.parts().forEach(parts::put);
            ArrayNode files = col.putArray("files");
            s.files().forEach(files::add);
        }
        ArrayNode rows = root.putArray("rows");
        for (BenchTest t : c.tests()) {
            ObjectNode row = rows.addObject();
            row.put("test", t.name());
            row.put("n_prompt", t.nPrompt());
            row.put("n_gen", t.nGen());
            row.put("n_depth", t.depth());
            ArrayNode values = row.putArray("values");
            for (int i = 0; i < c.series().size(); i++) {
                Comparison.Cell cell = c.cell(t, i);
                if (cell == null) {
                    values.addNull();
                } else {
                    ObjectNode v = values.addObject();
                    v.put("value", cell.value());
                    if (cell.stddev() == null) {
                        v.putNull("stddev");
                    } else {
                        v.put("stddev", cell.stddev());
                    }
                }
            }
        }
        try {
            out.println(mapper.writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    private static String plain(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
