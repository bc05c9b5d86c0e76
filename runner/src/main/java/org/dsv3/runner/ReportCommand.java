package org.dsv3.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.dsv3.runner.report.Comparison;
import org.dsv3.runner.report.ComparisonChart;
import org.dsv3.runner.report.ReportFormat;
import org.dsv3.runner.report.ResultFiles;
import org.dsv3.runner.report.ResultRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code dsv3 report}: merges bench result files of several machines (ours, or llama.cpp's
 * llama-bench JSON/JSONL) into one table, a row per test and a column per machine, device,
 * backend, model and quantization, and optionally a grouped bar chart.
 */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Merge benchmark results (dsv3 bench or llama-bench, -o json, jsonl or csv) from several machines into one table",
                "(a row per test, a column per machine/device/backend/model/quant) and, with --chart, a grouped bar chart."})
public final class ReportCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE", description = "result files: JSON arrays, JSON lines or CSV")
    List<Path> files = new ArrayList<>();

    @Option(names = {"-o", "--output"}, defaultValue = "md", paramLabel = "FORMAT",
            description = "md (a Markdown table, default), csv or json")
    String output;

    @Option(names = "--chart", paramLabel = "FILE", description = "also draw a grouped bar chart to FILE.svg or FILE.png")
    Path chart;

    @Option(names = "--metric", defaultValue = "avg_ts", paramLabel = "FIELD",
            description = "the row field to compare (default ${DEFAULT-VALUE}; e.g. median_ts, avg_ns, weight_gb_per_s, gflops)")
    String metric;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        ReportFormat format = ReportFormat.parse(output);
        if (chart != null) {
            ComparisonChart.checkPath(chart);
        }
        if (metric.isBlank()) {
            throw new UserError("--metric is empty");
        }
        List<ResultRow> rows = new ArrayList<>();
        for (Path f : files) {
            rows.addAll(ResultFiles.read(f));
        }
        Comparison c = Comparison.of(rows, Comparison.Metric.of(metric.strip()));
        if (chart != null) {
            // the chart is drawn off screen; no display is needed or used
            System.setProperty("java.awt.headless", "true");
            try {
                ComparisonChart.write(c, chart);
            } catch (RuntimeException | LinkageError | InternalError e) {
                // a Java runtime without fonts (fontconfig) cannot lay out the chart's text
                throw new UserError("--chart " + chart + ": cannot draw the chart: " + e + " (the chart needs the Java "
                        + "runtime's desktop module and a font: install fontconfig and a font package such as DejaVu)");
            }
            spec.commandLine().getErr().println("dsv3 report: wrote " + chart);
        }
        // the table last: a chart that cannot be written fails before anything is printed
        format.write(spec.commandLine().getOut(), c);
        return 0;
    }
}
