package org.dsv3.runner;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.config.ModelStatistics;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.synth.QuantRecipe;
import org.dsv3.model.synth.SyntheticArchitecture;
import org.dsv3.model.synth.SyntheticModelWriter;
import org.dsv3.runner.bench.BenchResult;
import org.dsv3.runner.bench.MemoryBandwidth;
import org.dsv3.runner.bench.ModelBenchmark;
import org.dsv3.runner.bench.ProcessCounters;
import org.dsv3.runner.load.PageToucher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dsv3 bench}: prompt-processing and generation speed, llama-bench style, on one or more
 * devices, with decode bandwidth against the machine's own measured read bandwidth.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark prompt processing (ppN) and generation (tgN) on one or more devices.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, description = "GGUF model (any shard); or use --synth")
    Path model;

    @Option(names = "--synth", paramLabel = "ARCH", description = "benchmark a synthetic model of this architecture "
            + "(v2-lite, moonlight, v3, kimi-k2), written once and cached")
    String synth;

    @Option(names = "--synth-type", defaultValue = "q8_0", description = "quantization of the synthetic model (default: ${DEFAULT-VALUE})")
    String synthType;

    @Option(names = "--synth-layers", description = "layers of the synthetic model (default: all)")
    Integer synthLayers;

    @Option(names = "--cache-dir", description = "where synthetic models are kept (default: ~/.cache/dsv3)")
    Path cacheDir;

    @Option(names = "--device", split = ",", defaultValue = "cpu", description = "device(s): cpu, tornado, tornado:BACKEND:DEVICE (repeatable or comma-separated)")
    List<String> devices;

    @Option(names = {"-p", "--prompt"}, defaultValue = "512", description = "prompt tokens for ppN (0 = skip; default ${DEFAULT-VALUE})")
    int promptTokens;

    @Option(names = {"-n", "--gen"}, defaultValue = "128", description = "generated tokens for tgN (0 = skip; default ${DEFAULT-VALUE})")
    int genTokens;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "3", description = "repetitions per test (default ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", description = "CPU threads; 0 = all cores")
    int threads;

    @Option(names = "--json", description = "print a JSON array, one object per test")
    boolean json;

    @Option(names = "--markdown", description = "print a Markdown table")
    boolean markdown;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if ((model == null) == (synth == null)) {
            throw new UserError("give either --model FILE or --synth ARCH");
        }
        if (repetitions < 1 || promptTokens < 0 || genTokens < 0 || promptTokens + genTokens == 0) {
            throw new UserError("need -r >= 1 and a non-empty test (-p and -n >= 0, not both 0)");
        }
        Path file = model != null ? model : synthetic();
        PrintWriter err = spec.commandLine().getErr();
        int effectiveThreads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        err.printf("dsv3 bench: measuring memory read bandwidth with %d threads...%n", effectiveThreads);
        err.flush();
        double bandwidth = MemoryBandwidth.measure(effectiveThreads, 1L << 30, 5);
        List<BenchResult> results = new ArrayList<>();
        try (GgufModel m = GgufModel.open(file)) {
            DeepSeekConfig c = DeepSeekConfig.fromGguf(m, GroupRouting.AUTO);
            ModelStatistics s = ModelStatistics.of(m, c);
            // Time the steady state: every weight page read in and mapped before the first test.
            err.printf("dsv3 bench: reading %s of weights into memory...%n", Units.bytes(m.fileSize()));
            err.flush();
            PageToucher.touch(m.tensors().values());
            for (String device : devices) {
                DeviceSpec d = DeviceSpec.parse(device);
                BackendProvider provider = DeviceSpec.provider(d);
                err.printf("dsv3 bench: %s on %s%n", file.getFileName(), device);
                err.flush();
                try (InferenceBackend b = provider.load(m, c, d.options(threads))) {
                    ModelBenchmark.Context ctx = new ModelBenchmark.Context(c.name(), m.fileSize(), s.totalParameters(),
                            s.activeParameters(), s.activeWeightBytes(), c.vocabSize(), d.provider(), effectiveThreads,
                            d.provider().equals("cpu") ? bandwidth : Double.NaN);
                    results.addAll(new ModelBenchmark(b, ctx, repetitions).run(promptTokens, genTokens));
                    long huge = ProcessCounters.fileHugePageBytes();
                    if (huge >= 0) {
                        err.printf("dsv3 bench: %s of the model mapped in 2 MiB pages%n", Units.bytes(huge));
                        err.flush();
                    }
                }
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(asJson(results)));
        } else {
            printTable(out, results, markdown);
            out.printf(Locale.ROOT, "%nmachine read bandwidth: %.1f GB/s with %d threads; tg: weight bytes read per token × t/s "
                    + "(and that as a fraction of the machine bandwidth); pp: 2 × active parameters × t/s; faults and CPU time "
                    + "(all threads) per token over the timed runs%n", bandwidth / 1e9, effectiveThreads);
        }
        out.flush();
        return 0;
    }

    private Path synthetic() throws Exception {
        SyntheticArchitecture a = SyntheticArchitecture.parse(synth);
        QuantRecipe r = QuantRecipe.parse(synthType);
        int layers = synthLayers == null ? a.layers() : synthLayers;
        Path dir = cacheDir != null ? cacheDir : Path.of(System.getProperty("user.home"), ".cache", "dsv3");
        Files.createDirectories(dir);
        Path f = dir.resolve("synth-" + a.cliName() + "-" + layers + "L-" + r.name().toLowerCase(Locale.ROOT) + ".gguf");
        if (!Files.exists(f)) {
            spec.commandLine().getErr().printf("dsv3 bench: writing synthetic %s (%d layers, %s) to %s%n", a.label(), layers, r, f);
            spec.commandLine().getErr().flush();
            Path tmp = f.resolveSibling(f.getFileName() + ".partial");
            new SyntheticModelWriter(a, layers, r, 1).write(tmp);
            Files.move(tmp, f);
        }
        return f;
    }

    private static List<Map<String, Object>> asJson(List<BenchResult> results) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (BenchResult r : results) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("model", r.model());
            o.put("model_bytes", r.modelBytes());
            o.put("parameters", r.parameters());
            o.put("backend", r.backend());
            o.put("device", r.device());
            o.put("threads", r.threads());
            o.put("test", r.test());
            o.put("tokens_per_s", r.tokensPerSecond());
            o.put("stddev", r.stddev());
            o.put("time_to_first_token_ms", r.timeToFirstTokenMs());
            if (!Double.isNaN(r.weightGBps())) {
                o.put("weight_gb_per_s", r.weightGBps());
            }
            if (!Double.isNaN(r.bandwidthFraction())) {
                o.put("bandwidth_fraction", r.bandwidthFraction());
            }
            if (!Double.isNaN(r.gflops())) {
                o.put("gflops", r.gflops());
            }
            o.put("resident_bytes", r.residentBytes());
            o.put("minor_faults_per_token", r.perToken().minorFaults());
            o.put("major_faults_per_token", r.perToken().majorFaults());
            o.put("cpu_ms_per_token", r.perToken().cpuMs());
            list.add(o);
        }
        return list;
    }

    private static void printTable(PrintWriter out, List<BenchResult> results, boolean markdown) {
        String[] head = {"model", "size", "params", "backend", "device", "threads", "test", "t/s", "TTFT ms", "GB/s (bw %)", "GFLOP/s", "RSS", "faults/tok (major)", "CPU ms/tok"};
        List<String[]> rows = new ArrayList<>();
        for (BenchResult r : results) {
            rows.add(new String[] {r.model(), Units.bytes(r.modelBytes()), Units.count(r.parameters()), r.backend(), r.device(),
                    Integer.toString(r.threads()), r.test(),
                    String.format(Locale.ROOT, "%.2f ± %.2f", r.tokensPerSecond(), r.stddev()),
                    String.format(Locale.ROOT, "%.1f", r.timeToFirstTokenMs()),
                    Double.isNaN(r.weightGBps()) ? "" : String.format(Locale.ROOT, "%.1f%s", r.weightGBps(),
                            Double.isNaN(r.bandwidthFraction()) ? "" : String.format(Locale.ROOT, " (%.0f %%)", 100 * r.bandwidthFraction())),
                    Double.isNaN(r.gflops()) ? "" : String.format(Locale.ROOT, "%.1f", r.gflops()),
                    r.residentBytes() < 0 ? "" : Units.bytes(r.residentBytes()),
                    Double.isNaN(r.perToken().minorFaults()) ? "" : String.format(Locale.ROOT, "%.0f (%.0f)",
                            r.perToken().minorFaults() + r.perToken().majorFaults(), r.perToken().majorFaults()),
                    Double.isNaN(r.perToken().cpuMs()) ? "" : String.format(Locale.ROOT, "%.1f", r.perToken().cpuMs())});
        }
        int[] w = new int[head.length];
        for (int i = 0; i < head.length; i++) {
            w[i] = head[i].length();
            for (String[] row : rows) {
                w[i] = Math.max(w[i], row[i].length());
            }
        }
        printRow(out, head, w);
        StringBuilder sep = new StringBuilder("|");
        for (int x : w) {
            sep.append(markdown ? " " + "-".repeat(x) + " |" : "-".repeat(x + 2) + "|");
        }
        out.println(sep);
        for (String[] row : rows) {
            printRow(out, row, w);
        }
    }

    private static void printRow(PrintWriter out, String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < cells.length; i++) {
            sb.append(' ').append(cells[i]).append(" ".repeat(w[i] - cells[i].length())).append(" |");
        }
        out.println(sb);
    }
}
