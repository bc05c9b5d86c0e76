package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dsv3.model.backend.Backends;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;
import org.junit.jupiter.api.Test;

/**
 * {@code dsv3 bench} on the tiny model: llama-bench's options and output formats, read back as a
 * script would. Timings are not checked, only that they are consistent with each other.
 */
class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static RunCommandTest.Result bench(String... extra) {
        List<String> args = new ArrayList<>(List.of("bench", "-m", TestModels.tiny().toString(), "-r", "2", "--no-bandwidth"));
        args.addAll(List.of(extra));
        return RunCommandTest.run(args.toArray(String[]::new));
    }

    /** The parameter count summed from the file's tensor shapes. */
    private static long parameters() {
        try (GgufModel m = GgufModel.open(TestModels.tiny())) {
            long n = 0;
            for (GgufTensor t : m.tensors().values()) {
                n += Arrays.stream(t.dims()).reduce(1, (a, b) -> a * b);
            }
            return n;
        }
    }

    @Test
    void jsonRowsCarryLlamaBenchsFieldsInLlamaBenchsOrder() throws Exception {
        RunCommandTest.Result r = bench("-p", "4", "-n", "2", "-pg", "4,2", "-d", "0,3", "-t", "1,2", "-o", "json");
        assertEquals(0, r.code(), r.err());
        JsonNode rows = JSON.readTree(r.out());
        assertTrue(rows.isArray());
        // llama-bench's order: per thread count, per depth: pp, tg, pp+tg
        int[][] expected = {{4, 0, 0}, {0, 2, 0}, {4, 2, 0}, {4, 0, 3}, {0, 2, 3}, {4, 2, 3}};
        String[] names = {"pp4", "tg2", "pp4+tg2", "pp4 @ d3", "tg2 @ d3", "pp4+tg2 @ d3"};
        assertEquals(2 * expected.length, rows.size(), r.out());
        long size = Files.size(TestModels.tiny());
        long params = parameters();
        for (int i = 0; i < rows.size(); i++) {
            JsonNode row = rows.get(i);
            List<String> names0 = new ArrayList<>();
            row.fieldNames().forEachRemaining(names0::add);
            assertEquals(org.dsv3.runner.bench.BenchRow.FIELDS, names0, "every field, in the documented order");
            int[] e = expected[i % expected.length];
            assertEquals(TestModels.tiny().toString(), row.get("model_filename").asText());
            assertTrue(row.get("model_type").asText().matches("deepseek2 \\d+M Q4_K_M"), row.get("model_type").asText());
            assertEquals("Q4_K_M", row.get("quant_type").asText(), "the file is llama-quantize's Q4_K_M");
            assertEquals(size, row.get("model_size").asLong());
            assertEquals(params, row.get("model_n_params").asLong());
            assertEquals(i < expected.length ? 1 : 2, row.get("n_threads").asInt());
            assertEquals(e[0], row.get("n_prompt").asInt());
            assertEquals(e[1], row.get("n_gen").asInt());
            assertEquals(e[2], row.get("n_depth").asInt());
            assertEquals(names[i % names.length], row.get("test").asText());
            assertEquals(2048, row.get("n_batch").asInt());
            assertEquals("cpu", row.get("backend").asText());
            assertEquals("CPU", row.get("backends").asText());
            assertTrue(row.get("device").asText().startsWith("cpu ("), row.get("device").asText());
            assertTrue(row.get("driver").asText().contains("Vector API"), row.get("driver").asText());
            assertEquals(Runtime.getRuntime().availableProcessors(), row.get("machine_cores").asInt());
            assertFalse(row.get("machine_cpu").asText().isBlank());
            assertEquals(row.get("machine_cpu").asText(), row.get("cpu_info").asText());
            Instant.parse(row.get("test_time").asText());
            // the samples: one per repetition, t/s = tokens / time, avg and stddev over them
            JsonNode ns = row.get("samples_ns");
            JsonNode ts = row.get("samples_ts");
            assertEquals(2, ns.size());
            assertEquals(2, ts.size());
            double[] t = new double[2];
            for (int k = 0; k < 2; k++) {
                t[k] = ts.get(k).asDouble();
                assertEquals((e[0] + e[1]) * 1e9 / ns.get(k).asLong(), t[k], 1e-9 * t[k]);
            }
            assertEquals((t[0] + t[1]) / 2, row.get("avg_ts").asDouble(), 1e-9 * t[0]);
            assertEquals(Math.abs(t[0] - t[1]) / Math.sqrt(2), row.get("stddev_ts").asDouble(), 1e-6 * t[0]);
            assertEquals((ns.get(0).asLong() + ns.get(1).asLong()) / 2.0, row.get("avg_ns").asDouble(), 1.0);
            assertTrue(e[1] == 0 || e[0] > 0 ? row.get("weight_gb_per_s").isNull() : row.get("weight_gb_per_s").asDouble() > 0);
        }
    }

    @Test
    void jsonlIsOneObjectPerLineAndTheOldJsonFlagStillWorks() throws Exception {
        RunCommandTest.Result r = bench("-p", "4,6", "-n", "0", "-o", "jsonl");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        for (int i = 0; i < 2; i++) {
            JsonNode row = JSON.readTree(lines.get(i));
            assertTrue(row.isObject());
            assertEquals(i == 0 ? 4 : 6, row.get("n_prompt").asInt());
            assertEquals(0, row.get("n_gen").asInt());
        }
        RunCommandTest.Result legacy = bench("-p", "0", "-n", "2", "--json");
        assertEquals(0, legacy.code(), legacy.err());
        JsonNode rows = JSON.readTree(legacy.out());
        assertEquals(1, rows.size());
        assertEquals("tg2", rows.get(0).get("test").asText());
    }

    /** Splits one CSV record whose every field is quoted. */
    private static List<String> csv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cur.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    @Test
    void csvHasAHeaderOfTheJsonFieldNames() throws Exception {
        RunCommandTest.Result r = bench("-p", "4", "-n", "2", "-b", "2", "-o", "csv");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(3, lines.size(), r.out());
        List<String> header = List.of(lines.get(0).split(","));
        assertEquals(List.of("cpu_info", "gpu_info", "backends", "model_filename", "model_type", "model_size", "model_n_params"),
                header.subList(0, 7));
        assertTrue(header.containsAll(List.of("n_threads", "n_prompt", "n_gen", "n_depth", "avg_ts", "stddev_ts", "samples_ns",
                "samples_ts", "test_time", "device", "backend", "driver", "machine_cpu", "machine_cores", "profiled_tokens",
                "kernel_ms_per_token", "host_ms_per_token", "kernel_weight_gb_per_s")), header.toString());
        for (String line : lines.subList(1, 3)) {
            List<String> cells = csv(line);
            assertEquals(header.size(), cells.size(), line);
            assertEquals(TestModels.tiny().toString(), cells.get(header.indexOf("model_filename")));
            assertEquals("2", cells.get(header.indexOf("n_batch")));
            assertEquals(2, cells.get(header.indexOf("samples_ns")).split(";").length);
            Double.parseDouble(cells.get(header.indexOf("avg_ts")));
        }
        assertEquals("4", csv(lines.get(1)).get(header.indexOf("n_prompt")));
        assertEquals("2", csv(lines.get(2)).get(header.indexOf("n_gen")));
    }

    @Test
    void markdownIsLlamaBenchsTableWithTheFileAndDevice() {
        RunCommandTest.Result r = RunCommandTest.run("bench", "-m", TestModels.tiny().toString(), "-r", "1", "-p", "4",
                "-n", "2", "-d", "0,2", "-b", "4");
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.out().lines().toList();
        List<String> head = List.of(lines.get(0).replaceAll("^\\| | \\|$", "").split(" *\\| *"));
        assertEquals(List.of("model", "file", "size", "params", "backend", "device", "threads", "n_batch", "test", "t/s"),
                head.subList(0, 10), lines.get(0));
        assertTrue(lines.get(1).matches("\\|( -+:? \\|)+"), lines.get(1));
        List<String> rows = lines.subList(2, 6);
        String[] tests = {"pp4", "tg2", "pp4 @ d2", "tg2 @ d2"};
        for (int i = 0; i < rows.size(); i++) {
            String row = rows.get(i);
            assertEquals(lines.get(0).length(), row.length(), "aligned columns: " + row);
            List<String> cells = List.of(row.replaceAll("^\\| | \\|$", "").split(" \\| ", -1)).stream().map(String::strip).toList();
            assertEquals(head.size(), cells.size(), row);
            assertTrue(cells.get(0).matches("deepseek2 \\d+M Q4_K_M"), cells.get(0));
            assertEquals("tiny-v3.q4_k_m.gguf", cells.get(1));
            assertEquals("4", cells.get(7));
            assertEquals(tests[i], cells.get(8));
            assertTrue(cells.get(9).matches("\\d+\\.\\d\\d ± \\d+\\.\\d\\d"), cells.get(9));
        }
        assertTrue(r.out().contains("Machine read bandwidth: "), r.out());
        assertFalse(lines.get(0).contains("kernel"), "no profile columns without a profiler: " + lines.get(0));
        assertFalse(r.out().contains("profiled pass"), r.out());
    }

    @Test
    void tgRowsOfADeviceWithAProfilerCarryTheKernelAndHostTimeOfAProfiledPass() throws Exception {
        RunCommandTest.Result r = bench("-p", "0", "-n", "3,20", "-pg", "2,2", "-d", "0,2", "-o", "json",
                "--device", "cpu,profiled");
        assertEquals(0, r.code(), r.err());
        JsonNode rows = JSON.readTree(r.out());
        assertEquals(2 * 6, rows.size(), r.out());
        for (JsonNode row : rows) {
            String test = row.get("test").asText();
            boolean profiled = row.get("backend").asText().equals("profiled") && row.get("n_prompt").asInt() == 0;
            if (!profiled) {
                // the CPU has no profiler; pp+tg rows are not profiled
                for (String f : List.of("profiled_tokens", "kernel_ms_per_token", "host_ms_per_token", "kernel_weight_gb_per_s")) {
                    assertTrue(row.get(f).isNull(), row.get("backend") + " " + test + ": " + f);
                }
                continue;
            }
            int gen = row.get("n_gen").asInt();
            assertEquals(Math.min(gen, 16), row.get("profiled_tokens").asInt(), test + ": at most 16 profiled tokens");
            double kernelMs = ProfiledBackendProvider.KERNEL_NS / 1e6;
            assertEquals(kernelMs, row.get("kernel_ms_per_token").asDouble(), 1e-12);
            // host: the plain repetitions' mean time per token minus the kernel time
            double plainMs = row.get("avg_ns").asDouble() / gen / 1e6;
            assertEquals(plainMs - kernelMs, row.get("host_ms_per_token").asDouble(), 1e-9 * plainMs, test);
            assertEquals(ProfiledBackendProvider.WEIGHT_BYTES / ProfiledBackendProvider.KERNEL_NS,
                    row.get("kernel_weight_gb_per_s").asDouble(), 1e-9, test);
        }

        RunCommandTest.Result off = bench("-p", "0", "-n", "3", "-o", "json", "--device", "profiled", "--no-profile");
        assertEquals(0, off.code(), off.err());
        assertTrue(JSON.readTree(off.out()).get(0).get("profiled_tokens").isNull(), "--no-profile: no profiled pass");
    }

    @Test
    void aProfilerThatSeesNoKernelsGivesNoKernelTimeAndTheTableSaysNa() throws Exception {
        RunCommandTest.Result r = bench("-p", "0", "-n", "2", "-o", "json", "--device", "profiled:blind");
        assertEquals(0, r.code(), r.err());
        JsonNode row = JSON.readTree(r.out()).get(0);
        assertEquals(2, row.get("profiled_tokens").asInt());
        assertTrue(row.get("kernel_ms_per_token").isNull() && row.get("host_ms_per_token").isNull()
                && row.get("kernel_weight_gb_per_s").isNull(), row.toString());

        RunCommandTest.Result md = bench("-p", "4", "-n", "2", "--device", "profiled,profiled:blind");
        assertEquals(0, md.code(), md.err());
        List<String> lines = md.out().lines().toList();
        List<String> head = List.of(lines.get(0).replaceAll("^\\| | \\|$", "").split(" *\\| *"));
        int split = head.indexOf("kernel / host ms/tok");
        int gbps = head.indexOf("kernel GB/s");
        assertEquals(head.size() - 2, split, lines.get(0));
        assertEquals(head.size() - 1, gbps, lines.get(0));
        String[][] expected = {{"pp4", "", ""}, {"tg2", "0.250 / ", "4000.0"}, {"pp4", "", ""}, {"tg2", "n/a", "n/a"}};
        for (int i = 0; i < expected.length; i++) {
            String row0 = lines.get(2 + i);
            assertEquals(lines.get(0).length(), row0.length(), "aligned columns: " + row0);
            List<String> cells = List.of(row0.replaceAll("^\\| | \\|$", "").split(" \\| ", -1)).stream()
                    .map(String::strip).toList();
            assertEquals(expected[i][0], cells.get(head.indexOf("test")), row0);
            assertTrue(cells.get(split).startsWith(expected[i][1]) && (i != 1 || cells.get(split).matches("0\\.250 / -?\\d+\\.\\d{3}")),
                    cells.get(split));
            assertEquals(expected[i][2], cells.get(gbps), row0);
        }
        assertTrue(md.out().contains("kernel / host ms/tok: device kernel time per token from a separate profiled pass"),
                md.out());
    }

    @Test
    void aDeviceThatCannotRunHereIsSkippedWithOneLine() throws Exception {
        RunCommandTest.Result r = bench("-p", "4", "-n", "0", "-o", "json", "--device", "cpu,offline");
        assertEquals(0, r.code(), r.err());
        JsonNode rows = JSON.readTree(r.out());
        assertEquals(1, rows.size());
        assertEquals("cpu", rows.get(0).get("backend").asText());
        List<String> skipped = r.err().lines().filter(l -> l.startsWith("dsv3 bench: skipped ")).toList();
        assertEquals(1, skipped.size(), r.err());
        assertTrue(skipped.get(0).startsWith("dsv3 bench: skipped offline: ") && skipped.get(0).contains(OfflineBackendProvider.REASON),
                skipped.get(0));
        if (Backends.all().stream().noneMatch(p -> p.name().equals("tornado"))) {
            // the usual build without TornadoVM: the CPU rows, and why tornado was left out
            RunCommandTest.Result t = bench("-p", "4", "-n", "0", "-o", "json", "--device", "cpu,tornado");
            assertEquals(0, t.code(), t.err());
            assertEquals(1, JSON.readTree(t.out()).size());
            assertTrue(t.err().lines().anyMatch(l -> l.startsWith("dsv3 bench: skipped tornado: ") && l.contains("TORNADOVM_HOME")),
                    t.err());
        }
        RunCommandTest.Result none = bench("-p", "4", "--device", "offline");
        assertEquals(1, none.code());
        assertTrue(none.err().contains("none of the devices can run here (offline)"), none.err());
    }

    private static void refused(String expected, String... args) {
        List<String> all = new ArrayList<>(List.of("bench", "-m", "/nonexistent/never-opened.gguf"));
        all.addAll(List.of(args));
        RunCommandTest.Result r = RunCommandTest.run(all.toArray(String[]::new));
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains(expected), r.err());
        assertFalse(r.err().contains("never-opened") || r.err().contains("bandwidth"), "nothing ran: " + r.err());
    }

    @Test
    void badOptionsAreRefusedBeforeAnythingRuns() {
        refused("unknown format 'xml'", "-o", "xml");
        refused("-pg takes PP,TG", "-pg", "512");
        refused("-pg needs two positive sizes", "-pg", "0,5");
        refused("-r/--repetitions must be at least 1", "-r", "0");
        refused("-t/--threads must be in 0..", "-t", "1,100000");
        refused("-b/--batch-size must be at least 1", "-b", "0");
        refused("-d/--n-depth must be >= 0", "-d", "-1");
        refused("nothing to measure", "-p", "0", "-n", "0");
        refused("no backend for device 'warp-drive'", "--device", "cpu,warp-drive");
        refused("the cpu device takes 'exact' or 'int8'", "--device", "cpu:fast");
        refused("--json and --markdown", "--json", "--markdown");
        RunCommandTest.Result vocab = RunCommandTest.run("bench", "--no-bandwidth", "-m",
                org.dsv3.model.TestData.require("tokenizer/deepseek-v3-vocab.gguf").toString());
        assertEquals(1, vocab.code());
        assertTrue(vocab.err().contains("vocabulary-only GGUF"), vocab.err());
    }
}
