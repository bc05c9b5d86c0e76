package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.dsv3.runner.bench.BenchFormat;
import org.dsv3.runner.bench.BenchResult;
import org.dsv3.runner.bench.BenchRow;
import org.dsv3.runner.bench.BenchTest;
import org.dsv3.runner.bench.ProcessCounters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * {@code dsv3 report} on three machines' results: a real {@code dsv3 bench -o jsonl} run of the
 * tiny model on this CPU (1 and 2 threads), a GPU machine's {@code -o json} array written through
 * {@link BenchRow} (PTX and OpenCL on one H200), and two lines as llama.cpp's llama-bench writes
 * them (an AMD card under ROCm). The merged table, its JSON and CSV forms and the charts are read
 * back and checked against figures worked out by hand from the samples.
 */
class ReportCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path cpu;
    static Path gpu;
    static Path llamaBench;

    /** Two lines with llama-bench's field names (as its -o jsonl writes them). */
    static final String LLAMA_BENCH_JSONL = """
            {"build_commit": "1a2b3c4", "build_number": 5000, "cpu_info": "AMD Ryzen 9 7950X 16-Core Processor", "gpu_info": "AMD Radeon RX 7900 XTX", "backends": "ROCm", "model_filename": "models/DeepSeek-V2-Lite-Chat.Q4_K_M.gguf", "model_type": "deepseek2 16B Q4_K - Medium", "model_size": 10364438528, "model_n_params": 15706484224, "n_batch": 2048, "n_ubatch": 512, "n_threads": 16, "cpu_mask": "0x0", "cpu_strict": false, "poll": 50, "type_k": "f16", "type_v": "f16", "n_gpu_layers": 99, "split_mode": "layer", "main_gpu": 0, "no_kv_offload": false, "flash_attn": false, "tensor_split": "0.00", "use_mmap": true, "embeddings": false, "n_prompt": 4, "n_gen": 0, "n_depth": 0, "test_time": "2026-11-30T10:00:00Z", "avg_ns": 1705000, "stddev_ns": 9000, "avg_ts": 2345.67, "stddev_ts": 12.34, "samples_ns": [1696000, 1714000], "samples_ts": [2358.5, 2333.8]}
            {"build_commit": "1a2b3c4", "build_number": 5000, "cpu_info": "AMD Ryzen 9 7950X 16-Core Processor", "gpu_info": "AMD Radeon RX 7900 XTX", "backends": "ROCm", "model_filename": "models/DeepSeek-V2-Lite-Chat.Q4_K_M.gguf", "model_type": "deepseek2 16B Q4_K - Medium", "model_size": 10364438528, "model_n_params": 15706484224, "n_batch": 2048, "n_ubatch": 512, "n_threads": 16, "cpu_mask": "0x0", "cpu_strict": false, "poll": 50, "type_k": "f16", "type_v": "f16", "n_gpu_layers": 99, "split_mode": "layer", "main_gpu": 0, "no_kv_offload": false, "flash_attn": false, "tensor_split": "0.00", "use_mmap": true, "embeddings": false, "n_prompt": 0, "n_gen": 2, "n_depth": 0, "test_time": "2026-11-30T10:00:01Z", "avg_ns": 16000000, "stddev_ns": 100000, "avg_ts": 125.0, "stddev_ts": 0.78, "samples_ns": [15900000, 16100000], "samples_ts": [125.8, 124.2]}
            """;

    @BeforeAll
    static void writeResults() throws Exception {
        RunCommandTest.Result bench = RunCommandTest.run("bench", "-m", TestModels.tiny().toString(), "-r", "2", "--no-bandwidth",
                "-p", "4", "-n", "2", "-t", "1,2", "-o", "jsonl");
        assertEquals(0, bench.code(), bench.err());
        cpu = Files.writeString(dir.resolve("cpu.jsonl"), bench.out());
        gpu = dir.resolve("h200.json");
        StringWriter w = new StringWriter();
        BenchFormat.JSON.write(new PrintWriter(w), gpuRows());
        Files.writeString(gpu, w.toString());
        llamaBench = Files.writeString(dir.resolve("llama-bench-7900xtx.jsonl"), LLAMA_BENCH_JSONL);
    }

    /** An H200 machine: pp4 and tg2 on PTX and on OpenCL, with samples whose means are easy to check by hand. */
    private static List<BenchRow> gpuRows() {
        BenchRow.ModelInfo model = new BenchRow.ModelInfo("/models/tiny-v3.q4_k_m.gguf", "deepseek2 9M Q4_K_M", "Q4_K_M",
                9_000_000, 9_000_000, 3_000_000);
        BenchRow.MachineInfo machine = new BenchRow.MachineInfo("Intel(R) Xeon(R) Platinum 8480+", 224, 2L << 40, "Linux 6.8",
                "amd64");
        List<BenchRow> rows = new ArrayList<>();
        String[] devices = {"tornado (ptx-0-0, PTX)", "tornado (opencl-0-0, NVIDIA CUDA)"};
        long[][] pp = {{1_000_000, 2_000_000}, {2_000_000, 2_000_000}};
        long[][] tg = {{4_000_000, 4_000_000, 5_000_000}, {10_000_000, 10_000_000, 10_000_000}};
        for (int d = 0; d < 2; d++) {
            for (int k = 0; k < 2; k++) {
                BenchTest test = k == 0 ? new BenchTest(4, 0, 0) : new BenchTest(0, 2, 0);
                BenchResult r = new BenchResult(test, devices[d], 1, 2048, k == 0 ? pp[d] : tg[d], 1.0, Double.NaN, Double.NaN,
                        Double.NaN, -1, ProcessCounters.PerToken.UNKNOWN);
                rows.add(new BenchRow(model, machine, "tornado", devices[d].contains("ptx") ? "ptx (PTX), gpu, 143000 MiB"
                        : "opencl (NVIDIA CUDA), gpu, 143000 MiB", "NVIDIA H200", Instant.parse("2026-12-01T09:00:00Z"), r));
            }
        }
        return rows;
    }

    private static RunCommandTest.Result report(String... args) {
        List<String> all = new ArrayList<>(List.of("report"));
        all.addAll(List.of(args));
        return RunCommandTest.run(all.toArray(String[]::new));
    }

    /** The Markdown table's lines that start with '|', split into trimmed cells. */
    private static List<List<String>> table(String md) {
        List<List<String>> rows = new ArrayList<>();
        for (String line : md.lines().toList()) {
            if (line.startsWith("|")) {
                String inner = line.substring(1, line.length() - 1);
                rows.add(Arrays.stream(inner.split(" \\| ", -1)).map(String::strip).toList());
            }
        }
        return rows;
    }

    private static int column(List<String> head, String... parts) {
        int found = -1;
        for (int i = 0; i < head.size(); i++) {
            String h = head.get(i);
            if (Arrays.stream(parts).allMatch(h::contains)) {
                assertEquals(-1, found, "one column matches " + List.of(parts) + ": " + head);
                found = i;
            }
        }
        assertTrue(found >= 0, "a column with " + List.of(parts) + " in " + head);
        return found;
    }

    @Test
    void mergesThreeMachinesIntoOneTable() throws Exception {
        RunCommandTest.Result r = report(cpu.toString(), gpu.toString(), llamaBench.toString());
        assertEquals(0, r.code(), r.err());
        List<List<String>> t = table(r.out());
        List<String> head = t.getFirst();
        assertEquals(6, head.size(), "test + cpu 1 thread, cpu 2 threads, PTX, OpenCL, ROCm: " + head);
        assertEquals("test", head.getFirst());
        assertTrue(t.get(1).stream().allMatch(c -> c.matches("-+:?")), "the separator line: " + t.get(1));
        assertEquals(List.of("pp4", "tg2"), t.stream().skip(2).map(List::getFirst).toList());
        List<String> pp = t.get(2);
        List<String> tg = t.get(3);
        int ptx = column(head, "NVIDIA H200", "ptx-0-0");
        int opencl = column(head, "NVIDIA H200", "opencl-0-0");
        int rocm = column(head, "AMD Radeon RX 7900 XTX", "ROCm", "Q4_K - Medium", "DeepSeek-V2-Lite-Chat.Q4_K_M.gguf");
        // 4 tokens in 1 and 2 ms: 4000 and 2000 t/s; 2 tokens in 4, 4, 5 ms: 500, 500, 400 t/s
        assertEquals("3000.00 ± 1414.21", pp.get(ptx));
        assertEquals("466.67 ± 57.74", tg.get(ptx));
        assertEquals("2000.00 ± 0.00", pp.get(opencl));
        assertEquals("200.00 ± 0.00", tg.get(opencl));
        assertEquals("2345.67 ± 12.34", pp.get(rocm));
        assertEquals("125.00 ± 0.78", tg.get(rocm));
        // the CPU columns: what the bench run wrote, one column per thread count
        List<JsonNode> cpuRows = cpu.toFile().exists() ? Files.readAllLines(cpu).stream().map(ReportCommandTest::parse).toList()
                : List.of();
        assertEquals(4, cpuRows.size());
        for (JsonNode row : cpuRows) {
            int col = column(head, row.get("device").asText());
            List<String> line = row.get("n_gen").asInt() == 0 ? pp : tg;
            assertEquals(String.format(java.util.Locale.ROOT, "%.2f ± %.2f", row.get("avg_ts").asDouble(),
                    row.get("stddev_ts").asDouble()), line.get(col));
        }
        assertTrue(r.out().startsWith("**avg_ts** (t/s): mean ± standard deviation"), r.out());
    }

    private static JsonNode parse(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void jsonAndCsvCarryTheSameCells() throws Exception {
        RunCommandTest.Result r = report("-o", "json", gpu.toString(), llamaBench.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode root = JSON.readTree(r.out());
        assertEquals("avg_ts", root.get("metric").asText());
        JsonNode cols = root.get("columns");
        assertEquals(3, cols.size(), r.out());
        assertEquals("NVIDIA H200", cols.get(0).get("parts").get("gpu").asText());
        assertEquals("tornado (ptx-0-0, PTX)", cols.get(0).get("parts").get("backend").asText());
        assertEquals("ROCm", cols.get(2).get("parts").get("backend").asText());
        assertEquals(List.of(gpu.toString()), List.of(cols.get(0).get("files").get(0).asText()));
        JsonNode rows = root.get("rows");
        assertEquals("pp4", rows.get(0).get("test").asText());
        assertEquals(3000.0, rows.get(0).get("values").get(0).get("value").asDouble(), 1e-9);
        assertEquals(Math.sqrt(2e6), rows.get(0).get("values").get(0).get("stddev").asDouble(), 1e-6);
        assertEquals(125.0, rows.get(1).get("values").get(2).get("value").asDouble(), 1e-9);

        RunCommandTest.Result csv = report("-o", "csv", gpu.toString(), llamaBench.toString());
        assertEquals(0, csv.code(), csv.err());
        List<String> lines = csv.out().lines().toList();
        assertEquals(3, lines.size(), csv.out());
        assertTrue(lines.get(0).startsWith("\"test\","), lines.get(0));
        assertEquals(7, lines.get(1).split("\",\"").length, "test and a value and stddev per column: " + lines.get(1));
        assertTrue(lines.get(1).startsWith("\"pp4\",\"3000.000000\",\"1414.213562\",\"2000.000000\",\"0.000000\",\"2345.670000\""),
                lines.get(1));
    }

    @Test
    void anotherMetricHasNoDeviation() throws Exception {
        RunCommandTest.Result r = report("--metric", "avg_ns", "-o", "json", llamaBench.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode v = JSON.readTree(r.out()).get("rows").get(0).get("values").get(0);
        assertEquals(1705000.0, v.get("value").asDouble());
        assertEquals(9000.0, v.get("stddev").asDouble());
        RunCommandTest.Result median = report("--metric", "median_ts", gpu.toString());
        assertEquals(0, median.code(), median.err());
        // median of 500, 500, 400
        assertTrue(median.out().contains("| tg2  |") && median.out().contains(" 500.00 |"), median.out());
    }

    /** The JSON lines as CSV: a header of the first row's fields, every value quoted, lists joined with ';'. */
    private static String csv(String jsonl) {
        StringBuilder sb = new StringBuilder();
        List<String> names = new ArrayList<>();
        parse(jsonl.lines().findFirst().orElseThrow()).fieldNames().forEachRemaining(names::add);
        sb.append(String.join(",", names.stream().map(n -> "\"" + n + "\"").toList())).append('\n');
        for (String line : jsonl.lines().toList()) {
            JsonNode row = parse(line);
            List<String> cells = new ArrayList<>();
            for (String n : names) {
                JsonNode v = row.get(n);
                String text = v.isArray() ? String.join(";", java.util.stream.StreamSupport.stream(v.spliterator(), false)
                        .map(JsonNode::asText).toList()) : v.asText();
                cells.add("\"" + text.replace("\"", "\"\"") + "\"");
            }
            sb.append(String.join(",", cells)).append('\n');
        }
        return sb.toString();
    }

    @Test
    void csvFilesGiveTheSameTableAsJson() throws Exception {
        StringWriter w = new StringWriter();
        BenchFormat.CSV.write(new PrintWriter(w), gpuRows());
        Path gpuCsv = Files.writeString(dir.resolve("h200.csv"), w.toString());
        Path lbCsv = Files.writeString(dir.resolve("llama-bench-7900xtx.csv"), csv(LLAMA_BENCH_JSONL));
        RunCommandTest.Result fromJson = report(gpu.toString(), llamaBench.toString());
        RunCommandTest.Result fromCsv = report(gpuCsv.toString(), lbCsv.toString());
        assertEquals(0, fromCsv.code(), fromCsv.err());
        assertEquals(fromJson.out(), fromCsv.out());
        assertTrue(fromCsv.out().contains("3000.00 ± 1414.21") && fromCsv.out().contains("2345.67 ± 12.34"), fromCsv.out());

        Path ragged = Files.writeString(dir.resolve("ragged.csv"), csv(LLAMA_BENCH_JSONL).replaceFirst("\n(.*)\n", "\n$1,\"x\"\n"));
        RunCommandTest.Result bad = report(ragged.toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains(ragged + " line 2: " + (parse(LLAMA_BENCH_JSONL.lines().findFirst().orElseThrow()).size() + 1)
                + " values for the"), bad.err());
    }

    @Test
    void aBareNaNIsAFigureThatDoesNotApply() throws Exception {
        Path nan = Files.writeString(dir.resolve("nan.jsonl"), LLAMA_BENCH_JSONL.split("\n")[0]
                .replace("\"stddev_ts\": 12.34", "\"stddev_ts\": NaN") + "\n");
        RunCommandTest.Result r = report(nan.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| pp4  |") && r.out().contains(" 2345.67 |"), "the mean alone: " + r.out());
    }

    @Test
    void theSameResultsTwiceAreToldApartByFile() throws Exception {
        Path copy = Files.writeString(dir.resolve("again.jsonl"), LLAMA_BENCH_JSONL);
        RunCommandTest.Result r = report(llamaBench.toString(), copy.toString());
        assertEquals(0, r.code(), r.err());
        List<String> head = table(r.out()).getFirst();
        assertEquals(List.of("test", llamaBench.toString(), copy.toString()), head);
        assertTrue(r.out().contains("- gpu: AMD Radeon RX 7900 XTX"), "what both share is said once: " + r.out());
    }

    @Test
    void svgChartHasABarPerCellAndEveryLabel() throws Exception {
        Path svg = dir.resolve("chart.svg");
        RunCommandTest.Result r = report("--chart", svg.toString(), gpu.toString(), llamaBench.toString());
        assertEquals(0, r.code(), r.err());
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        // JFreeSVG names the SVG DTD on the web; the test needs no validation (and may have no network)
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        List<String> bars = new ArrayList<>();
        NodeList groups = doc.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (g.getAttribute("id").startsWith("bar-")) {
                NodeList title = g.getElementsByTagName("title");
                assertEquals(1, title.getLength());
                bars.add(title.item(0).getTextContent());
                assertTrue(g.getElementsByTagName("rect").getLength() >= 1, "the bar itself");
            }
        }
        // 3 columns × 2 tests
        assertEquals(6, bars.size(), bars.toString());
        assertTrue(bars.stream().anyMatch(b -> b.contains("ptx-0-0") && b.contains("pp4: 3000.00 ± 1414.21 t/s")), bars.toString());
        assertTrue(bars.stream().anyMatch(b -> b.contains("ROCm") && b.contains("tg2: 125.00 ± 0.78 t/s")), bars.toString());
        List<String> texts = new ArrayList<>();
        NodeList t = doc.getElementsByTagName("text");
        for (int i = 0; i < t.getLength(); i++) {
            texts.add(t.item(i).getTextContent());
        }
        assertTrue(texts.contains("pp4") && texts.contains("tg2"), texts.toString());
        assertTrue(texts.contains("prompt processing") && texts.contains("generation"), "a panel per kind: " + texts);
        assertEquals(3, texts.stream().filter(s -> s.contains("NVIDIA H200") || s.contains("ROCm")).count(),
                "a legend entry per column: " + texts);
    }

    @Test
    void pngChartIsAnImage() throws Exception {
        Path png = dir.resolve("chart.png");
        RunCommandTest.Result r = report("--chart", png.toString(), cpu.toString(), gpu.toString(), llamaBench.toString());
        assertEquals(0, r.code(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img, "a PNG ImageIO reads");
        assertEquals(1000, img.getWidth());
        // two panels of 340 pixels and a legend of 5 entries in 3 lines
        assertEquals(2 * 340 + 30 + 3 * 18, img.getHeight());
        // not blank: the bars have colours
        long coloured = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y) & 0xffffff;
                int red = rgb >> 16, green = (rgb >> 8) & 0xff, blue = rgb & 0xff;
                if (Math.max(red, Math.max(green, blue)) - Math.min(red, Math.min(green, blue)) > 60) {
                    coloured++;
                }
            }
        }
        assertTrue(coloured > 1000, "coloured pixels: " + coloured);
    }

    @Test
    void badInputIsOneLineNamingFileAndLine() throws Exception {
        Path md = Files.writeString(dir.resolve("table.md"), "| model | test |\n|---|---|\n");
        RunCommandTest.Result r = report(md.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains(md + " line 1: not a JSON or CSV result file") && r.err().contains("-o json"), r.err());

        String[] lines = LLAMA_BENCH_JSONL.split("\n");
        Path broken = Files.writeString(dir.resolve("broken.jsonl"), lines[0] + "\n" + lines[1] + "\n{\"n_prompt\": 4,,}\n");
        r = report(broken.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("dsv3 report: " + broken + " line 3: not valid JSON"), r.err());

        Path missing = Files.writeString(dir.resolve("missing.jsonl"), lines[0] + "\n" + lines[1].replace("\"n_gen\": 2, ", "") + "\n");
        r = report(missing.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(missing + " line 2: the field 'n_gen' is missing"), r.err());

        Path wrongType = Files.writeString(dir.resolve("type.jsonl"), lines[0].replace("\"avg_ts\": 2345.67", "\"avg_ts\": \"fast\""));
        r = report(wrongType.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(wrongType + " line 1: the field 'avg_ts' is not a number: \"fast\""), r.err());

        Path notRows = Files.writeString(dir.resolve("numbers.json"), "[1, 2]");
        r = report(notRows.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(notRows + " line 1: a result row must be a JSON object, found 1"), r.err());

        r = report("--metric", "tokens_per_watt", llamaBench.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--metric tokens_per_watt: no row of the files has a number in that field")
                && r.err().contains("avg_ts"), r.err());

        r = report("--chart", dir.resolve("chart.pdf").toString(), llamaBench.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--chart") && r.err().contains(".svg or .png"), r.err());

        r = report("-o", "xml", llamaBench.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("unknown format 'xml'"), r.err());

        r = report(dir.resolve("nowhere.json").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("nowhere.json"), r.err());
        assertFalse(r.err().contains("internal error"), r.err());
        r = report("--chart", dir.resolve("no-such-dir").resolve("c.png").toString(), llamaBench.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("no-such-dir") && r.out().isEmpty(), "the chart fails before the table is printed: " + r.out() + r.err());
        r = report(dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(dir + ": a directory"), r.err());
        Path empty = Files.writeString(dir.resolve("empty.json"), "  \n", StandardCharsets.UTF_8);
        r = report(empty.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains(empty + ": the file is empty"), r.err());
    }
}
