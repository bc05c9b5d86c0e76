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

    /**
     * The value bytes of metadata key {@code key} in a GGUF file's bytes: its offset and its type id
     * (found by the key's length-prefixed name, which GGUF writes just before the type and value).
     */
    static int[] valueOf(byte[] file, String key) {
        byte[] name = key.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        outer:
        for (int i = 8; i + 8 + name.length + 4 < file.length; i++) {
            if (b.getLong(i) != name.length) {
                continue;
            }
            for (int j = 0; j < name.length; j++) {
                if (file[i + 8 + j] != name[j]) {
                    continue outer;
                }
            }
            int typeAt = i + 8 + name.length;
            return new int[] {typeAt + 4, b.getInt(typeAt)};
        }
        throw new AssertionError(key + " not found");
    }

    /** Writes {@code value} into the key's value as its own type (u32, i32, u64, f32, f64). */
    static byte[] withValue(byte[] orig, String key, double value) {
        byte[] b = orig.clone();
        int[] at = valueOf(b, key);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        switch (at[1]) {
            case 4, 5 -> buf.putInt(at[0], (int) (long) value);
            case 10, 11 -> buf.putLong(at[0], (long) value);
            case 6 -> buf.putFloat(at[0], (float) value);
            case 12 -> buf.putDouble(at[0], value);
            default -> throw new AssertionError(key + " has GGUF type " + at[1]);
        }
        return b;
    }

    @Test
    void absurdCountsAndNonFiniteFloatsAreRefusedNamingTheKey() throws IOException {
        Path src = TestData.require("models/quant/tiny-v3.q4_k_m.gguf");
        byte[] orig = Files.readAllBytes(src);
        String p = "deepseek2.";
        double[] absurdCounts = {0x7fffffffL, 0xffffffffL, 1000, 1L << 20, 0};
        String[] countKeys = {"block_count", "attention.head_count", "embedding_length", "attention.kv_lora_rank",
                "rope.dimension_count", "expert_count", "expert_feed_forward_length", "context_length",
                "attention.key_length_mla", "attention.q_lora_rank", "vocab_size", "leading_dense_block_count"};
        int variants = 0;
        for (String k : countKeys) {
            if (!hasKey(orig, p + k)) {
                continue;
            }
            for (double v : absurdCounts) {
                if (v == 0 && (k.equals("leading_dense_block_count") || k.equals("expert_count"))) {
                    continue; // 0 is a real value for these (no dense block, a dense model)
                }
                if (k.equals("context_length") && v > 0 && v <= 1L << 24) {
                    continue; // any context up to 2^24 tokens is a real value: --ctx bounds what is allocated
                }
                // block_count must be named itself; another count may be caught through a key it must agree with
                checkRefused(src, withValue(orig, p + k, v), k + " = " + (long) v, k.equals("block_count") ? p + k : p);
                variants++;
            }
        }
        String[] floatKeys = {"attention.layer_norm_rms_epsilon", "rope.freq_base", "rope.scaling.factor",
                "expert_weights_scale", "rope.scaling.yarn_log_multiplier"};
        for (String k : floatKeys) {
            if (!hasKey(orig, p + k)) {
                continue;
            }
            double[] bad = k.endsWith("yarn_log_multiplier") ? new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}
                    : k.endsWith("scaling.factor") ? new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1}
                    : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -1, 0};
            for (double v : bad) {
                checkRefused(src, withValue(orig, p + k, v), k + " = " + v, p + k);
                variants++;
            }
        }
        if (variants < 60) {
            fail("only " + variants + " absurd variants were exercised");
        }
    }

    private static boolean hasKey(byte[] file, String key) {
        try {
            valueOf(file, key);
            return true;
        } catch (AssertionError e) {
            return false;
        }
    }

    /**
     * The file must be refused by the model checks: by the configuration with a {@link GgufException}
     * naming the file and {@code key} (a key or a key prefix), or by the tensor check in a short listing.
     */
    private void checkRefused(Path src, byte[] bytes, String what, String key) throws IOException {
        Path f = tmp.resolve("absurd.gguf");
        Files.write(f, bytes);
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (GgufModel m = GgufModel.open(f)) {
                DeepSeekConfig c;
                try {
                    c = DeepSeekConfig.fromGguf(m, GroupRouting.AUTO);
                } catch (GgufException e) {
                    if (!e.getMessage().contains(f.toString()) || !e.getMessage().contains(key)) {
                        fail(what + ": the error does not name the file and " + key + ": " + e.getMessage());
                    }
                    return;
                }
                // a value the file could hold but that does not fit its tensors: the tensor check refuses it
                try {
                    ModelValidator.check(m, c);
                    fail(what + ": accepted");
                } catch (GgufException e) {
                    if (!e.getMessage().contains(f.toString())) {
                        fail(what + ": the error does not name the file: " + e.getMessage());
                    }
                    if (e.getMessage().lines().count() > ModelValidator.LISTED + 3) {
                        fail(what + ": an error of " + e.getMessage().lines().count() + " lines");
                    }
                }
            } catch (Throwable t) {
                fail(src.getFileName() + " " + what + ": expected a GgufException, got " + t, t);
            }
        }, () -> what + ": did not finish");
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
