package org.dsv3.model.quant;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dsv3.model.TestData;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;

/**
 * One entry of {@code <set's json> → <file>.dequant_samples.<TYPE>}: the first {@code count} values
 * of tensor {@code tensor} of the set's {@code tiny-v3.<file>.gguf}, dequantized by gguf-py into the
 * set's {@code <valuesFile>}. Two sets: {@link Set#QUANT} (models/quant, reference/quant) and
 * {@link Set#IQUANT} (the i-quant files and their references, all in iquant/).
 */
record QuantSample(Set set, String file, GgmlType type, String tensor, String valuesFile, int count) {
    static final String REFERENCE_JSON = "reference/quant/tiny-v3.quant-reference.json";

    /** Where a set's files lie in the data set (and, for the block cuts, in the subset's derived/). */
    enum Set {
        QUANT(REFERENCE_JSON, "models/quant/", "reference/quant/", "derived/quant/"),
        IQUANT("iquant/tiny-v3.iquant-reference.json", "iquant/", "iquant/", "derived/iquant/");

        final String json;
        final String models;
        final String references;
        final String cuts;

        Set(String json, String models, String references, String cuts) {
            this.json = json;
            this.models = models;
            this.references = references;
            this.cuts = cuts;
        }
    }

    /** Matches one {@code "<TYPE>": {"tensor": …, "values_file": "tiny-v3.<file>.dequant-<TYPE>.f32", "count": N}} entry. */
    private static final Pattern ENTRY = Pattern.compile(
            "\"(\\w+)\"\\s*:\\s*\\{\\s*\"tensor\"\\s*:\\s*\"([^\"]+)\"\\s*,\\s*\"values_file\"\\s*:\\s*"
                    + "\"(tiny-v3\\.([a-z0-9_]+)\\.dequant-\\w+\\.f32)\"\\s*,\\s*\"count\"\\s*:\\s*(\\d+)");

    /** The samples of the K-quant and legacy files (models/quant). */
    static List<QuantSample> all() {
        return of(Set.QUANT);
    }

    /** The samples of the i-quant files (iquant/). */
    static List<QuantSample> iquant() {
        return of(Set.IQUANT);
    }

    /** Both sets. */
    static List<QuantSample> everything() {
        List<QuantSample> out = new ArrayList<>(all());
        out.addAll(iquant());
        return out;
    }

    static List<QuantSample> of(Set set) {
        Path json = TestData.require(set.json);
        String text;
        try {
            text = Files.readString(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<QuantSample> out = new ArrayList<>();
        Matcher m = ENTRY.matcher(text);
        while (m.find()) {
            out.add(new QuantSample(set, m.group(4), GgmlType.valueOf(m.group(1)), m.group(2), m.group(3),
                    Integer.parseInt(m.group(5))));
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no dequant_samples entries recognised in " + json);
        }
        return out;
    }

    String modelPath() {
        return set.models + "tiny-v3." + file + ".gguf";
    }

    String referencePath() {
        return set.references + valuesFile;
    }

    /** Where the subset keeps this sample's raw block bytes (cut from the GGUF file, see testdata/README.md). */
    String blocksPath() {
        return set.cuts + "tiny-v3." + file + ".blocks-" + type + ".bin";
    }

    /** Where the subset keeps the first values of the tensor in the original BF16 model. */
    String originalsPath() {
        return "derived/quant/tiny-v3.bf16.first" + count + "-" + tensor + ".bin";
    }

    long byteCount() {
        return type.bytesFor(count);
    }

    /** gguf-py's dequantized values. */
    float[] expected() {
        byte[] bytes = read(TestData.require(referencePath()));
        float[] v = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        if (v.length != count) {
            throw new IllegalStateException(referencePath() + " holds " + v.length + " values, expected " + count);
        }
        return v;
    }

    /** The raw blocks behind the sample: from the GGUF file with full data, from the subset's cut otherwise. */
    MemorySegment blocks() {
        if (TestData.isFull()) {
            try (GgufModel model = GgufModel.open(TestData.require(modelPath()))) {
                GgufTensor t = model.tensor(tensor);
                if (t.type() != type) {
                    throw new IllegalStateException(tensor + " of " + modelPath() + " is " + t.type() + ", expected " + type);
                }
                return MemorySegment.ofArray(t.data().asSlice(0, byteCount()).toArray(ValueLayout.JAVA_BYTE));
            }
        }
        return MemorySegment.ofArray(read(TestData.require(blocksPath())));
    }

    /**
     * The original weights behind the sample: its first {@code count} values in the BF16 model
     * ({@code models/tiny-v3.bf16.gguf}) that llama-quantize started from, widened to float.
     */
    float[] originals() {
        MemorySegment raw;
        if (TestData.isFull()) {
            raw = originalBytes(TestData.root());
        } else {
            raw = MemorySegment.ofArray(read(TestData.require(originalsPath())));
        }
        float[] v = new float[count];
        BlockFormat.of(GgmlType.BF16).dequantize(raw, 0, v, 0, count);
        return v;
    }

    /** The raw BF16 bytes of the first {@code count} values of the tensor in the BF16 model under {@code root}. */
    MemorySegment originalBytes(Path root) {
        try (GgufModel model = GgufModel.open(root.resolve("models/tiny-v3.bf16.gguf"))) {
            GgufTensor t = model.tensor(tensor);
            if (t.type() != GgmlType.BF16) {
                throw new IllegalStateException(tensor + " of the BF16 model is " + t.type());
            }
            return MemorySegment.ofArray(t.data().asSlice(0, 2L * count).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return file + "/" + type + "/" + tensor;
    }
}
