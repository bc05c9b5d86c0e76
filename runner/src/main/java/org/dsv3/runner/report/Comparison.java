package org.dsv3.runner.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.dsv3.runner.UserError;
import org.dsv3.runner.bench.BenchTest;

/**
 * Result rows of several files merged into one table: a row per test, a column ("series") per
 * machine, device, backend, model and quantization that the rows came from, a metric (mean and,
 * where the files have one, standard deviation) in each cell.
 *
 * <p>Rows that agree on those five but differ in another setting (threads, batch, cache type, GPU
 * layers, driver; then the file they came from) get a column each, and only the setting that tells
 * them apart is added to the column's name. Rows that agree on everything are numbered.
 */
public final class Comparison {

    /** A cell: the metric's mean over the repetitions and its standard deviation ({@code null} when the files have none). */
    public record Cell(double value, Double stddev) {
    }

    /**
     * A column.
     *
     * @param label the parts that tell it from the other columns, joined with " / "
     * @param parts every identifying part by name ({@code machine}, {@code gpu}, {@code backend}, {@code model}, {@code quant}, …)
     * @param files the files its rows came from
     */
    public record Series(String label, Map<String, String> parts, List<String> files) {
    }

    /** The metric, the unit it is in, and the field holding its standard deviation ({@code null} if none). */
    public record Metric(String field, String unit, String stddevField) {
        /** {@code avg_ts} and the like; the stddev field is known for llama-bench's averages. */
        public static Metric of(String field) {
            return switch (field) {
                case "avg_ts" -> new Metric(field, "t/s", "stddev_ts");
                case "avg_ns" -> new Metric(field, "ns", "stddev_ns");
                case "median_ts" -> new Metric(field, "t/s", null);
                case "time_to_first_token_ms" -> new Metric(field, "ms", null);
                case "weight_gb_per_s" -> new Metric(field, "GB/s", null);
                case "gflops" -> new Metric(field, "GFLOP/s", null);
                default -> new Metric(field, "", null);
            };
        }
    }

    /** What identifies a column first, by part name: the field of our rows, else llama-bench's. */
    private static final List<Part> BASE = List.of(
            new Part("machine", r -> first(r, "machine_cpu", "cpu_info")),
            new Part("gpu", r -> r.text("gpu_info")),
            // ours: the backend and the device it ran on (the platform of a GPU); llama-bench's: CUDA, Metal, …
            new Part("backend", r -> first(r, "device", "backends")),
            new Part("model", r -> fileName(r.text("model_filename"))),
            new Part("quant", Comparison::quant));

    private static final List<String> WHERE = List.of("machine", "gpu", "backend");

    /** What else may tell two rows of the same test apart, tried in this order. */
    private static final List<Part> SETTINGS = List.of(
            setting("n_threads", "threads"), setting("n_batch", "batch"), setting("n_ubatch", "ubatch"),
            setting("type_k", "K"), setting("type_v", "V"), setting("n_gpu_layers", "ngl"), setting("flash_attn", "fa"),
            new Part("driver", r -> r.text("driver")), new Part("file", ResultRow::file));

    private record Part(String name, Function<ResultRow, String> value) {
    }

    private final Metric metric;
    private final List<BenchTest> tests;
    private final List<Series> series;
    private final Map<BenchTest, Map<Integer, Cell>> cells;
    private final Map<String, String> common;

    private Comparison(Metric metric, List<BenchTest> tests, List<Series> series, Map<BenchTest, Map<Integer, Cell>> cells,
                       Map<String, String> common) {
        this.metric = metric;
        this.tests = tests;
        this.series = series;
        this.cells = cells;
        this.common = common;
    }

    /** Merges the rows; an error when no row has the metric as a number. */
    public static Comparison of(List<ResultRow> rows, Metric metric) {
        if (rows.stream().noneMatch(r -> r.hasNumber(metric.field()))) {
            Set<String> numeric = new TreeSet<>();
            for (ResultRow r : rows) {
                r.fields().properties().forEach(e -> {
                    if (e.getValue().isNumber()) {
                        numeric.add(e.getKey());
                    }
                });
            }
            throw new UserError("--metric " + metric.field() + ": no row of the files has a number in that field (fields "
                    + "with numbers: " + String.join(", ", numeric) + ")");
        }
        List<Part> key = new ArrayList<>(BASE);
        for (Part s : SETTINGS) {
            if (collisionsDifferIn(rows, key, s)) {
                key.add(s);
            }
        }
        // the key of every row, numbered where rows agree on all of it and on the test
        Map<List<String>, Integer> seen = new LinkedHashMap<>();
        Map<List<String>, List<ResultRow>> bySeries = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            List<String> k = values(r, key);
            List<String> withTest = new ArrayList<>(k);
            withTest.add(r.test().name());
            int n = seen.merge(withTest, 1, Integer::sum);
            k.add(n == 1 ? "" : "#" + n);
            bySeries.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
        }
        List<String> names = new ArrayList<>(key.stream().map(Part::name).toList());
        names.add("run");
        // parts that are the same in every column are said once, not in every label
        Map<String, String> common = new LinkedHashMap<>();
        List<Integer> varying = new ArrayList<>();
        List<List<String>> keys = new ArrayList<>(bySeries.keySet());
        for (int i = 0; i < names.size(); i++) {
            int at = i;
            Set<String> values = new LinkedHashSet<>();
            keys.forEach(k -> values.add(k.get(at)));
            if (values.size() > 1) {
                varying.add(i);
            } else if (!values.iterator().next().isEmpty()) {
                common.put(names.get(i), values.iterator().next());
            }
        }
        List<Series> series = new ArrayList<>();
        Map<BenchTest, Map<Integer, Cell>> cells = new LinkedHashMap<>();
        int index = 0;
        for (Map.Entry<List<String>, List<ResultRow>> e : bySeries.entrySet()) {
            List<String> k = e.getKey();
            List<String> label = new ArrayList<>();
            Map<String, String> parts = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                if (!k.get(i).isEmpty()) {
                    parts.put(names.get(i), k.get(i));
                }
                if (varying.contains(i) && !k.get(i).isEmpty()) {
                    label.add(labelPart(key, names.get(i), k.get(i)));
                } else if (varying.contains(i) && names.get(i).equals("run")) {
                    label.add("#1"); // the first of rows alike in everything
                }
            }
            Set<String> files = new LinkedHashSet<>();
            for (ResultRow r : e.getValue()) {
                files.add(r.file());
                Double v = r.number(metric.field());
                Double sd = metric.stddevField() == null ? null : r.number(metric.stddevField());
                if (v != null) {
                    cells.computeIfAbsent(r.test(), t -> new LinkedHashMap<>()).put(index, new Cell(v, sd));
                }
            }
            // a single column is named by where it ran
            String name = label.isEmpty() ? String.join(" / ", parts.entrySet().stream()
                    .filter(p -> WHERE.contains(p.getKey())).map(Map.Entry::getValue).toList())
                    : String.join(" / ", label);
            series.add(new Series(name, parts, List.copyOf(files)));
            index++;
        }
        List<BenchTest> tests = new ArrayList<>(new LinkedHashSet<>(rows.stream().map(ResultRow::test).toList()));
        tests.sort(ORDER);
        return new Comparison(metric, List.copyOf(tests), List.copyOf(series), cells, common);
    }

    /** llama-bench's order: by depth, then prompt processing, generation, both; then by size. */
    static final Comparator<BenchTest> ORDER = Comparator.comparingInt(BenchTest::depth)
            .thenComparingInt(Comparison::kind).thenComparingInt(BenchTest::nPrompt).thenComparingInt(BenchTest::nGen);

    /** 0 for ppN, 1 for tgN, 2 for ppN+tgM. */
    static int kind(BenchTest t) {
        return t.nGen() == 0 ? 0 : t.nPrompt() == 0 ? 1 : 2;
    }

    public Metric metric() {
        return metric;
    }

    /** The tests, in llama-bench's order. */
    public List<BenchTest> tests() {
        return tests;
    }

    /** The columns, in the order their first rows were read. */
    public List<Series> series() {
        return series;
    }

    /** The cell of a test and column; {@code null} when that column has no value for the test. */
    public Cell cell(BenchTest test, int series) {
        Map<Integer, Cell> row = cells.get(test);
        return row == null ? null : row.get(series);
    }

    /** The parts every column shares (said once above the table), by part name. */
    public Map<String, String> common() {
        return common;
    }

    /** Whether some rows with the same key and test differ in {@code setting}. */
    private static boolean collisionsDifferIn(List<ResultRow> rows, List<Part> key, Part setting) {
        Map<List<String>, Set<String>> values = new LinkedHashMap<>();
        for (ResultRow r : rows) {
            List<String> k = values(r, key);
            k.add(r.test().name());
            values.computeIfAbsent(k, x -> new LinkedHashSet<>()).add(setting.value().apply(r));
        }
        return values.values().stream().anyMatch(s -> s.size() > 1);
    }

    private static List<String> values(ResultRow r, List<Part> key) {
        List<String> k = new ArrayList<>();
        for (Part p : key) {
            k.add(p.value().apply(r));
        }
        return k;
    }

    private static String labelPart(List<Part> key, String name, String value) {
        for (Part p : SETTINGS) {
            if (p.name().equals(name) && key.contains(p) && p.value() instanceof Setting s) {
                return s.shortName() + " " + value;
            }
        }
        return value;
    }

    /** A llama-bench setting shown as "threads 16" in a label. */
    private record Setting(String field, String shortName) implements Function<ResultRow, String> {
        @Override
        public String apply(ResultRow r) {
            return r.text(field);
        }
    }

    private static Part setting(String field, String shortName) {
        return new Part(field, new Setting(field, shortName));
    }

    private static String first(ResultRow r, String ours, String llamaBench) {
        String v = r.text(ours);
        return v.isEmpty() ? r.text(llamaBench) : v;
    }

    /** Ours: {@code quant_type}; llama-bench's: what follows the size in {@code model_type} ("deepseek2 16B Q4_K - Medium"). */
    private static String quant(ResultRow r) {
        String q = r.text("quant_type");
        if (!q.isEmpty()) {
            return q;
        }
        String[] words = r.text("model_type").split(" ", 3);
        return words.length == 3 ? words[2] : r.text("model_type");
    }

    private static String fileName(String path) {
        int slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
        return path.substring(slash + 1);
    }
}
