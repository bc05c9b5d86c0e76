package org.dsv3.model.gguf;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dsv3.model.TestData;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.config.ModelValidator;
import org.dsv3.model.gguf.GgufTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Truncates, flips and overwrites bytes of real GGUF files — hundreds of variants — and requires
 * every open to end in a correct load or a {@link GgufException}: never an OutOfMemoryError, a hang,
 * another exception type, or a crash.
 */
class GgufCorruptionFuzzTest {
    @TempDir
    Path tmp;

    private int loaded;
    private int refused;

    @Test
    void corruptModelFilesGiveCleanErrors() throws IOException {
        List<Path> sources = new ArrayList<>();
        for (String f : new String[] {"models/quant/tiny-v3.q2_k.gguf", "tokenizer/ggml-vocab-deepseek-coder.gguf",
                "models/tiny-v2.bf16.gguf"}) {
            if (TestData.has(f)) {
                sources.add(TestData.root().resolve(f));
            }
        }
        Path synthetic = tmp.resolve("synthetic.gguf");
        GgufTestFiles.smallModel().write(synthetic);
        sources.add(synthetic);

        Random rnd = new Random(20261129);
        int variants = 0;
        for (Path src : sources) {
            byte[] orig = Files.readAllBytes(src);
            int header = headerLength(src, orig.length);
            // truncations: inside the header at many points, and inside tensor data
            for (int i = 0; i < 60; i++) {
                int cut = i < 45 || orig.length == header ? rnd.nextInt(header) : header + rnd.nextInt(orig.length - header);
                check(src, java.util.Arrays.copyOf(orig, cut), "truncated at " + cut);
                variants++;
            }
            // single byte flips in the header (counts, lengths, types, dims, offsets)
            for (int i = 0; i < 120; i++) {
                byte[] b = orig.clone();
                int pos = rnd.nextInt(header);
                b[pos] ^= (byte) (1 << rnd.nextInt(8));
                check(src, b, "bit flip at " + pos);
                variants++;
            }
            // 8-byte fields overwritten with extreme values (huge counts and lengths, negative numbers)
            long[] extremes = {-1L, Long.MAX_VALUE, 1L << 40, 0x7fffffffL, 0xffffffffL, 0, 1L << 31};
            for (int i = 0; i < 60; i++) {
                byte[] b = orig.clone();
                int pos = rnd.nextInt(Math.max(1, header - 8));
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(pos, extremes[rnd.nextInt(extremes.length)]);
                check(src, b, "8 bytes overwritten at " + pos);
                variants++;
            }
        }
        if (variants < 200 || refused == 0) {
            fail("too few corrupt variants exercised: " + variants + " (" + refused + " refused)");
        }
        System.out.printf("GGUF fuzz: %d variants, %d refused with a clean error, %d still loadable%n", variants, refused, loaded);
    }

    private static int headerLength(Path src, int fileLength) {
        try (GgufFile f = GgufFile.open(src)) {
            return (int) Math.min(f.dataOffset() + 64, fileLength);
        }
    }

    private void check(Path src, byte[] bytes, String what) throws IOException {
        Path f = tmp.resolve("corrupt.gguf");
        Files.write(f, bytes);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (GgufModel m = GgufModel.open(f)) {
                // A file that still parses must also survive the model-level checks cleanly.
                if (m.metadata().optString("general.architecture").orElse("").equals("deepseek2") && !m.tensors().isEmpty()) {
                    DeepSeekConfig c = DeepSeekConfig.fromGguf(m, GroupRouting.AUTO);
                    ModelValidator.problems(m, c);
                }
                for (GgufTensor t : m.tensors().values()) {
                    t.data().get(java.lang.foreign.ValueLayout.JAVA_BYTE, t.byteSize() - 1);
                }
                loaded++;
            } catch (GgufException e) {
                if (!e.getMessage().contains(f.toString())) {
                    fail(src.getFileName() + " " + what + ": error does not name the file: " + e.getMessage());
                }
                refused++;
            } catch (Throwable t) {
                fail(src.getFileName() + " " + what + ": expected a GgufException, got " + t, t);
            }
        }, () -> src.getFileName() + " " + what + ": open did not finish");
    }
}
