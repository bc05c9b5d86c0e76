package org.dsv3.runner.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.dsv3.runner.bench.BenchTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How rows become columns and test rows, on llama-bench lines of one CPU machine run with -t 8,16 -d 0,4096. */
class ComparisonTest {
    @TempDir
    Path dir;

    private static String line(int threads, int prompt, int gen, int depth, double ts) {
        return "{\"cpu_info\": \"Apple M2 Max\", \"gpu_info\": \"\", \"backends\": \"CPU\", \"model_filename\": "
                + "\"/m/DeepSeek-V2-Lite-Q8_0.gguf\", \"model_type\": \"deepseek2 16B Q8_0\", \"n_batch\": 2048, "
                + "\"n_ubatch\": 512, \"n_threads\": " + threads + ", \"type_k\": \"f16\", \"type_v\": \"f16\", "
                + "\"n_gpu_layers\": 0, \"n_prompt\": " + prompt + ", \"n_gen\": " + gen + ", \"n_depth\": " + depth
                + ", \"avg_ts\": " + ts + ", \"stddev_ts\": 0.5}";
    }

    @Test
    void aSettingThatTellsRowsApartNamesTheColumnsAndTestsFollowLlamaBenchsOrder() throws Exception {
        List<String> lines = new ArrayList<>();
        double ts = 10;
        // written out of order: depth first, generation before prompt
        for (int depth : new int[] {4096, 0}) {
            for (int threads : new int[] {8, 16}) {
                lines.add(line(threads, 0, 128, depth, ts++));
                lines.add(line(threads, 512, 0, depth, ts++));
            }
        }
        Path f = Files.write(dir.resolve("m2.jsonl"), lines);
        Comparison c = Comparison.of(ResultFiles.read(f), Comparison.Metric.of("avg_ts"));
        assertEquals(List.of("threads 8", "threads 16"), c.series().stream().map(Comparison.Series::label).toList());
        assertEquals(List.of("pp512", "tg128", "pp512 @ d4096", "tg128 @ d4096"), c.tests().stream().map(BenchTest::name).toList());
        assertEquals(Map.of("machine", "Apple M2 Max", "backend", "CPU", "model", "DeepSeek-V2-Lite-Q8_0.gguf", "quant", "Q8_0"),
                c.common());
        // the values are 10, 11, … in file order: depth 4096 (8 threads tg, pp; 16 threads tg, pp), then depth 0
        assertEquals(17.0, c.cell(new BenchTest(512, 0, 0), 1).value());
        assertEquals(0.5, c.cell(new BenchTest(512, 0, 0), 1).stddev());
        assertEquals(12.0, c.cell(new BenchTest(0, 128, 4096), 1).value());
        assertNull(c.cell(new BenchTest(1, 0, 0), 0));
    }

    @Test
    void rowsAlikeInEverythingAreNumbered() throws Exception {
        Path f = Files.write(dir.resolve("twice.jsonl"), List.of(line(8, 512, 0, 0, 100), line(8, 512, 0, 0, 110)));
        Comparison c = Comparison.of(ResultFiles.read(f), Comparison.Metric.of("avg_ts"));
        assertEquals(List.of("#1", "#2"), c.series().stream().map(Comparison.Series::label).toList());
        assertEquals(110.0, c.cell(new BenchTest(512, 0, 0), 1).value());
    }
}
