package org.dsv3.runner.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dsv3.runner.Units;

/**
 * The Markdown table of {@code dsv3 bench}: llama-bench's columns (model, size, params, backend,
 * threads, test, t/s as mean ± standard deviation) with the model file and device added, then this
 * engine's own figures. {@code n_batch} gets a column, as in llama-bench, only when a row differs
 * from the default; the kernel/host split of a token and the kernels' weight bandwidth only when a row has a
 * profiled pass ({@link BenchResult#profile()}), "n/a" where the profiler saw no kernels.
 */
final class MarkdownTable {
    /** The default prompt batch; a column shows {@code n_batch} only when a row uses another one. */
    static final int DEFAULT_BATCH = 2048;

    private MarkdownTable() {
    }

    private record Column(String head, boolean numeric) {
    }

    static void write(PrintWriter out, List<BenchRow> rows) {
        boolean batchColumn = rows.stream().anyMatch(r -> r.result().batch() != DEFAULT_BATCH);
        boolean profileColumns = rows.stream().anyMatch(r -> r.result().profile() != null);
        List<Column> cols = new ArrayList<>(List.of(new Column("model", false), new Column("file", false),
                new Column("size", true), new Column("params", true), new Column("backend", false), new Column("device", false),
                new Column("threads", true)));
        if (batchColumn) {
            cols.add(new Column("n_batch", true));
        }
        cols.addAll(List.of(new Column("test", true), new Column("t/s", true), new Column("TTFT ms", true),
                new Column("GB/s (bw %)", true), new Column("GFLOP/s", true), new Column("RSS", true),
                new Column("faults/tok (major)", true), new Column("CPU ms/tok", true)));
        if (profileColumns) {
            cols.addAll(List.of(new Column(KERNEL_HOST, true), new Column(KERNEL_GBPS, true)));
        }
        List<List<String>> cells = new ArrayList<>();
        for (BenchRow row : rows) {
            List<String> c = cells(row, batchColumn);
            if (profileColumns) {
                c.addAll(profileCells(row.result()));
            }
            cells.add(c);
        }
        int[] w = new int[cols.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.max(3, cols.get(i).head().length());
            for (List<String> c : cells) {
                w[i] = Math.max(w[i], c.get(i).length());
            }
        }
        List<String> head = cols.stream().map(Column::head).toList();
        line(out, head, w, cols);
        StringBuilder sep = new StringBuilder("|");
        for (int i = 0; i < w.length; i++) {
            sep.append(' ').append(cols.get(i).numeric() ? "-".repeat(w[i] - 1) + ":" : "-".repeat(w[i])).append(" |");
        }
        out.println(sep);
        for (List<String> c : cells) {
            line(out, c, w, cols);
        }
    }

    private static List<String> cells(BenchRow row, boolean batchColumn) {
        BenchResult r = row.result();
        List<String> c = new ArrayList<>();
        c.add(row.model().type());
        c.add(fileName(row.model().filename()));
        c.add(Units.bytes(row.model().sizeBytes()));
        c.add(Units.count(row.model().parameters()));
        c.add(row.backend());
        c.add(r.device());
        c.add(Integer.toString(r.threads()));
        if (batchColumn) {
            c.add(Integer.toString(r.batch()));
        }
        c.add(r.test().name());
        c.add(String.format(Locale.ROOT, "%.2f ± %.2f", r.avgTs(), r.stddevTs()));
        c.add(format("%.1f", r.timeToFirstTokenMs()));
        c.add(Double.isNaN(r.weightGBps()) ? "" : String.format(Locale.ROOT, "%.1f%s", r.weightGBps(),
                Double.isNaN(r.bandwidthFraction()) ? "" : String.format(Locale.ROOT, " (%.0f %%)", 100 * r.bandwidthFraction())));
        c.add(format("%.1f", r.gflops()));
        c.add(r.residentBytes() < 0 ? "" : Units.bytes(r.residentBytes()));
        c.add(Double.isNaN(r.perToken().minorFaults()) ? "" : String.format(Locale.ROOT, "%.0f (%.0f)",
                r.perToken().minorFaults() + r.perToken().majorFaults(), r.perToken().majorFaults()));
        c.add(format("%.1f", r.perToken().cpuMs()));
        return c;
    }

    /** The heads of the profile columns. */
    static final String KERNEL_HOST = "kernel / host ms/tok";
    static final String KERNEL_GBPS = "kernel GB/s";

    private static List<String> profileCells(BenchResult r) {
        if (r.profile() == null) {
            return new ArrayList<>(List.of("", ""));
        }
        if (!r.profile().kernelTimeKnown()) {
            return new ArrayList<>(List.of("n/a", "n/a"));
        }
        return new ArrayList<>(List.of(String.format(Locale.ROOT, "%.3f / %.3f", r.kernelMsPerToken(), r.hostMsPerToken()),
                format(r.kernelWeightGBps() < 10 ? "%.2f" : "%.1f", r.kernelWeightGBps())));
    }

    private static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }

    private static String format(String f, double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, f, v);
    }

    private static void line(PrintWriter out, List<String> cells, int[] w, List<Column> cols) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < cells.size(); i++) {
            String s = cells.get(i);
            String pad = " ".repeat(w[i] - s.length());
            sb.append(' ').append(cols.get(i).numeric() ? pad + s : s + pad).append(" |");
        }
        out.println(sb);
    }
}
