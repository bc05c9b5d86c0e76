package org.dsv3.runner;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dsv3.model.backend.BackendException;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.DeviceInfo;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.config.ModelStatistics;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.synth.QuantRecipe;
import org.dsv3.model.synth.SyntheticArchitecture;
import org.dsv3.model.synth.SyntheticModelWriter;
import org.dsv3.runner.bench.BenchFormat;
import org.dsv3.runner.bench.BenchPlan;
import org.dsv3.runner.bench.BenchRow;
import org.dsv3.runner.bench.BenchTest;
import org.dsv3.runner.bench.FileTypes;
import org.dsv3.runner.bench.MemoryBandwidth;
import org.dsv3.runner.bench.ModelBenchmark;
import org.dsv3.runner.bench.ProcessCounters;
import org.dsv3.runner.load.BackendLookup;
import org.dsv3.runner.load.PageToucher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dsv3 bench}: prompt-processing and generation speed with llama-bench's options and output
 * formats, on one or more devices, with decode bandwidth against the machine's own measured read
 * bandwidth.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmark prompt processing (ppN), generation (tgN) and both (ppN+tgM), after D tokens of context",
                "(@ dD), on one or more devices. Takes llama-bench's options (comma lists multiply the tests) and formats.",
                "On a device with a profiler (tornado), each tgN test also runs once profiled (up to 16 tokens, after the same",
                "depth): the profiler slows every step, so t/s come from the plain repetitions, and the profiled pass gives",
                "the kernel time per token (host time = plain time per token - kernel time) and the weight bytes the kernels",
                "read per token over the kernel time (kernel GB/s); 'n/a' where the profiler sees no kernels (CUDA graphs)."})
public final class BenchCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, paramLabel = "FILE", description = "GGUF model (any shard; repeatable); or use --synth")
    List<Path> models = new ArrayList<>();

    @Option(names = "--synth", paramLabel = "ARCH", description = "benchmark a synthetic model of this architecture "
            + "(v2-lite, moonlight, v3, kimi-k2), written once and cached")
    String synth;

    @Option(names = "--synth-type", defaultValue = "q8_0", paramLabel = "TYPE",
            description = "quantization of the synthetic model (default: ${DEFAULT-VALUE})")
    String synthType;

    @Option(names = "--synth-layers", paramLabel = "N", description = "layers of the synthetic model (default: all)")
    Integer synthLayers;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "where synthetic models are kept (default: ~/.cache/dsv3)")
    Path cacheDir;

    @Option(names = "--device", split = ",", defaultValue = "cpu", paramLabel = "D",
            description = "device(s): cpu, tornado, tornado:BACKEND:DEVICE (comma-separated or repeated); one that is not "
                    + "installed or cannot run here is skipped with a line saying why")
    List<String> devices;

    @Option(names = {"-p", "--n-prompt", "--prompt"}, split = ",", defaultValue = "512", paramLabel = "N",
            description = "prompt sizes for ppN (comma list; 0 = none; default ${DEFAULT-VALUE})")
    List<Integer> prompts;

    @Option(names = {"-n", "--n-gen", "--gen"}, split = ",", defaultValue = "128", paramLabel = "N",
            description = "generation lengths for tgN (comma list; 0 = none; default ${DEFAULT-VALUE})")
    List<Integer> gens;

    @Option(names = {"-pg"}, paramLabel = "PP,TG", description = "a prompt of PP tokens then TG generated, timed together (repeatable)")
    List<String> promptGens = new ArrayList<>();

    @Option(names = {"-d", "--n-depth", "--depth"}, split = ",", defaultValue = "0", paramLabel = "N",
            description = "tokens already in the cache before each test, computed untimed (comma list; default ${DEFAULT-VALUE})")
    List<Integer> depths;

    @Option(names = {"-r", "--repetitions"}, defaultValue = "3", paramLabel = "N", description = "repetitions per test (default ${DEFAULT-VALUE})")
    int repetitions;

    @Option(names = {"-t", "--threads"}, split = ",", defaultValue = "0", paramLabel = "N",
            description = "CPU threads (comma list); 0 = all cores (default)")
    List<Integer> threads;

    @Option(names = {"-b", "--batch-size"}, split = ",", defaultValue = "2048", paramLabel = "N",
            description = "prompt tokens per forward step (comma list; default ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = {"-o", "--output"}, defaultValue = "md", paramLabel = "FORMAT",
            description = "md (a Markdown table, default), json (an array), jsonl (one object per line) or csv")
    String output;

    @Option(names = "--no-bandwidth", description = "do not measure the machine's read bandwidth first (the bw %% figure stays empty)")
    boolean noBandwidth;

    @Option(names = "--no-profile", description = "no profiled pass: tgN rows of a device with a profiler (tornado) then "
            + "lack the kernel / host split and kernel GB/s")
    boolean noProfile;

    @Option(names = "--json", description = "the same as -o json")
    boolean json;

    @Option(names = "--markdown", description = "the same as -o md")
    boolean markdown;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** A device to run on: its spec and provider. */
    private record Target(String name, DeviceSpec spec, BackendProvider provider) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        // every option is checked before a model is opened or the machine measured
        if (models.isEmpty() == (synth == null)) {
            throw new UserError("give either -m/--model FILE or --synth ARCH");
        }
        BenchFormat format = format();
        BenchPlan plan = plan();
        List<Integer> threadCounts = threadCounts();
        for (int b : batches) {
            if (b < 1) {
                throw new UserError("-b/--batch-size must be at least 1, got " + b);
            }
        }
        if (repetitions < 1) {
            throw new UserError("-r/--repetitions must be at least 1, got " + repetitions);
        }
        List<Target> targets = targets(err);
        List<Path> files = models.isEmpty() ? List.of(synthetic()) : models;

        double bandwidth = Double.NaN;
        int cores = Runtime.getRuntime().availableProcessors();
        int maxThreads = threadCounts.stream().mapToInt(t -> t > 0 ? t : cores).max().orElse(cores);
        if (!noBandwidth && targets.stream().anyMatch(t -> t.spec().provider().equals("cpu"))) {
            err.printf("dsv3 bench: measuring memory read bandwidth with %d threads...%n", maxThreads);
            err.flush();
            bandwidth = MemoryBandwidth.measure(maxThreads, 1L << 30, 5);
        }
        BenchRow.MachineInfo machine = machine();
        List<BenchRow> rows = new ArrayList<>();
        for (Path file : files) {
            rows.addAll(benchmark(file, targets, plan, threadCounts, bandwidth, machine, err));
        }
        PrintWriter out = spec.commandLine().getOut();
        format.write(out, rows);
        if (format == BenchFormat.MD && !Double.isNaN(bandwidth)) {
            out.printf(Locale.ROOT, "%nt/s: mean ± standard deviation over %d repetitions. Machine read bandwidth: %.1f GB/s "
                    + "with %d threads; tg: weight bytes read per token × t/s (and that as a fraction of the machine "
                    + "bandwidth); pp: 2 × active parameters × t/s; faults and CPU time (all threads) per token over the "
                    + "timed runs%n", repetitions, bandwidth / 1e9, maxThreads);
        }
        if (format == BenchFormat.MD && rows.stream().anyMatch(r -> r.result().profile() != null)) {
            out.printf(Locale.ROOT, "%nkernel / host ms/tok: device kernel time per token from a separate profiled pass of up "
                    + "to %d tokens, and the rest of the unprofiled time per token (launches, transfers, Java); kernel GB/s: "
                    + "weight bytes the kernels read per token / kernel time; n/a: the profiler saw no kernels (CUDA "
                    + "graphs)%n", ModelBenchmark.PROFILED_TOKENS);
        }
        out.flush();
        return 0;
    }

    private List<BenchRow> benchmark(Path file, List<Target> targets, BenchPlan plan, List<Integer> threadCounts,
                                     double bandwidth, BenchRow.MachineInfo machine, PrintWriter err) {
        List<BenchRow> rows = new ArrayList<>();
        try (GgufModel m = GgufModel.open(file)) {
            if (m.tensors().isEmpty()) {
                throw new UserError(file + " is a vocabulary-only GGUF (no weights): nothing to benchmark");
            }
            DeepSeekConfig c = DeepSeekConfig.fromGguf(m, GroupRouting.AUTO);
            if (plan.largestContext() > c.contextLength()) {
                throw new UserError("a test needs " + plan.largestContext() + " positions (depth + prompt + generated) but "
                        + file.getFileName() + " holds " + c.contextLength());
            }
            ModelStatistics s = ModelStatistics.of(m, c);
            String quant = FileTypes.name(m.metadata(), s.bytesPerType());
            String arch = m.metadata().optString("general.architecture").orElse("deepseek2");
            BenchRow.ModelInfo model = new BenchRow.ModelInfo(file.toString(), FileTypes.modelType(arch, s.totalParameters(), quant),
                    quant, m.fileSize(), s.totalParameters(), s.activeParameters());
            // Time the steady state: every weight page read in and mapped before the first test.
            err.printf("dsv3 bench: reading %s of weights into memory...%n", Units.bytes(m.fileSize()));
            err.flush();
            PageToucher.touch(m.tensors().values());
            for (Target target : targets) {
                boolean cpu = target.spec().provider().equals("cpu");
                // the thread count is a CPU setting: other devices run once
                for (int t : cpu ? threadCounts : threadCounts.subList(0, 1)) {
                    int effective = t > 0 ? t : Runtime.getRuntime().availableProcessors();
                    err.printf("dsv3 bench: %s on %s%s%n", file.getFileName(), target.name(), cpu ? " with " + effective + " threads" : "");
                    err.flush();
                    InferenceBackend b;
                    try {
                        b = target.provider().load(m, c, target.spec().options(t));
                    } catch (BackendException e) {
                        err.println("dsv3 bench: skipped " + target.name() + ": " + e.getMessage());
                        err.flush();
                        break;
                    }
                    try (b) {
                        ModelBenchmark bench = new ModelBenchmark(b, new ModelBenchmark.Context(s.activeParameters(),
                                s.activeWeightBytes(), c.vocabSize(), effective, cpu ? bandwidth : Double.NaN), repetitions,
                                !noProfile);
                        bench.warmUp(plan.largestPrompt());
                        String driver = driver(target, b);
                        String gpu = cpu ? "" : gpuName(target, b);
                        for (int batch : batches) {
                            for (BenchTest test : plan.tests()) {
                                Instant when = Instant.now();
                                rows.add(new BenchRow(model, machine, target.spec().provider(), driver, gpu, when,
                                        bench.run(test, batch)));
                            }
                        }
                        long huge = ProcessCounters.fileHugePageBytes();
                        if (huge >= 0) {
                            err.printf("dsv3 bench: %s of the model mapped in 2 MiB pages%n", Units.bytes(huge));
                            err.flush();
                        }
                    }
                }
            }
        }
        return rows;
    }

    private BenchFormat format() {
        if (json && markdown) {
            throw new UserError("--json and --markdown exclude each other");
        }
        if (json) {
            return BenchFormat.JSON;
        }
        if (markdown) {
            return BenchFormat.MD;
        }
        try {
            return BenchFormat.parse(output);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    private BenchPlan plan() {
        try {
            List<int[]> pgs = new ArrayList<>();
            for (String pg : promptGens) {
                pgs.add(BenchPlan.parsePromptGen(pg));
            }
            return new BenchPlan(prompts, gens, pgs, depths);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
    }

    private List<Integer> threadCounts() {
        int cores = Runtime.getRuntime().availableProcessors();
        for (int t : threads) {
            if (t < 0 || t > cores) {
                throw new UserError("-t/--threads must be in 0.." + cores + " (this machine's cores; 0 = all of them), got " + t);
            }
        }
        return List.copyOf(new LinkedHashSet<>(threads));
    }

    /**
     * The devices to run on. A name no backend answers to is an error; a backend that is not
     * installed or cannot run here (tornado without TornadoVM) is left out with one line on stderr.
     */
    private List<Target> targets(PrintWriter err) {
        List<Target> list = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (String device : new LinkedHashSet<>(devices)) {
            DeviceSpec d = DeviceSpec.parse(device);
            try {
                BackendProvider provider = BackendLookup.provider(d.provider());
                provider.checkDevice(d.detail());
                list.add(new Target(device.strip(), d, provider));
            } catch (BackendException e) {
                err.println("dsv3 bench: skipped " + device.strip() + ": " + e.getMessage());
                skipped.add(device.strip());
            }
        }
        err.flush();
        if (list.isEmpty()) {
            throw new UserError("none of the devices can run here (" + String.join(", ", skipped) + "); try --device cpu");
        }
        return list;
    }

    /** The CPU's JVM and SIMD width; for another device, what its provider says about the device (platform, driver). */
    private static String driver(Target target, InferenceBackend backend) {
        if (target.spec().provider().equals("cpu")) {
            CpuDescription cpu = CpuDescription.detect();
            return "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + "), Vector API "
                    + cpu.simdBits() + "-bit";
        }
        DeviceInfo info = deviceInfo(target);
        return info != null && !info.details().isEmpty() ? info.details() : backend.device();
    }

    private static String gpuName(Target target, InferenceBackend backend) {
        DeviceInfo info = deviceInfo(target);
        return info != null ? info.name() : backend.device();
    }

    /** The provider's description of the device picked: the one its spec names, or its default. */
    private static DeviceInfo deviceInfo(Target target) {
        List<DeviceInfo> all;
        try {
            all = target.provider().describeDevices();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
        String wanted = target.spec().provider() + (target.spec().detail().isEmpty() ? "" : ":" + target.spec().detail());
        for (DeviceInfo d : all) {
            if (d.spec().equalsIgnoreCase(wanted)) {
                return d;
            }
        }
        if (target.spec().detail().isEmpty()) {
            for (DeviceInfo d : all) {
                if (d.details().endsWith("default")) {
                    return d;
                }
            }
            return all.size() == 1 ? all.getFirst() : null;
        }
        return null;
    }

    private static BenchRow.MachineInfo machine() {
        CpuDescription cpu = CpuDescription.detect();
        return new BenchRow.MachineInfo(cpu.model(), cpu.cores(), cpu.memoryBytes(),
                System.getProperty("os.name") + " " + System.getProperty("os.version"), cpu.arch());
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
}
