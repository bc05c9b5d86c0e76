package org.dsv3.runner.report;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import org.dsv3.runner.UserError;

/**
 * Result rows from CSV as {@code dsv3 bench -o csv} and llama-bench's {@code -o csv} write it
 * (RFC 4180: a header line of field names, quoted values, {@code ""} for a quote inside one).
 * A value that reads as a number becomes one, {@code true}/{@code false} a boolean, an empty one
 * null; everything else stays text.
 */
final class CsvRows {
    private CsvRows() {
    }

    static List<ResultRow> read(String file, String text) {
        List<String> lines = text.lines().toList();
        List<String> header = null;
        int headerLine = 0;
        List<ResultRow> rows = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            int line = i + 1;
            if (lines.get(i).isBlank()) {
                continue;
            }
            List<String> cells = split(file, line, lines.get(i));
            if (header == null) {
                header = cells;
                headerLine = line;
                continue;
            }
            if (cells.equals(header)) {
                continue; // a second file appended with its own header
            }
            if (cells.size() != header.size()) {
                throw ResultRow.error(file, line, cells.size() + " values for the " + header.size()
                        + " fields of the header on line " + headerLine);
            }
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            for (int c = 0; c < cells.size(); c++) {
                put(o, header.get(c), cells.get(c));
            }
            rows.add(ResultRow.of(file, line, o));
        }
        return rows;
    }

    private static void put(ObjectNode o, String name, String v) {
        if (v.isEmpty()) {
            o.putNull(name);
        } else if (v.equals("true") || v.equals("false")) {
            o.put(name, Boolean.parseBoolean(v));
        } else if (v.matches("-?\\d{1,18}")) {
            o.put(name, Long.parseLong(v));
        } else if (v.matches("-?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            o.put(name, Double.parseDouble(v));
        } else {
            o.put(name, v);
        }
    }

    /** One line's values; a quoted value may hold commas and doubled quotes (not line breaks). */
    private static List<String> split(String file, int line, String s) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        int i = 0;
        while (true) {
            if (i < s.length() && s.charAt(i) == '"') {
                i++;
                while (true) {
                    if (i >= s.length()) {
                        throw new UserError(file + " line " + line + ": a quoted CSV value is not closed");
                    }
                    char c = s.charAt(i++);
                    if (c == '"') {
                        if (i < s.length() && s.charAt(i) == '"') {
                            cell.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        cell.append(c);
                    }
                }
            } else {
                while (i < s.length() && s.charAt(i) != ',') {
                    cell.append(s.charAt(i++));
                }
            }
            cells.add(cell.toString());
            cell.setLength(0);
            if (i >= s.length()) {
                return cells;
            }
            if (s.charAt(i) != ',') {
                throw new UserError(file + " line " + line + ": a CSV value goes on after its closing quote");
            }
            i++;
        }
    }
}
