package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.dsv3.model.TestData;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.Backends;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.gguf.GgufModel;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * End-to-end conformance of the TornadoVM backend (on PoCL here): every reference model, every case,
 * token by token through the decode graphs, against the same reference logits the CPU engine passes
 * (testdata README; quantized files against llama.cpp's logits for their exactly dequantized twins).
 *
 * <p>Bound: max |diff| ≤ {@value #BOUND} over all positions and the whole vocabulary, as for the CPU
 * engine with an F32 cache. The device sums in other orders than the CPU (32-lane partial dot products,
 * online softmax over position slices, float32 exp/sqrt of OpenCL instead of Java's double ones); measured
 * on PoCL (commit log / tornado-config README): ≤ 1.9e-5 on the BF16 models, ≤ 2.6e-5 on the quantized ones.
 */
class TornadoReferenceLogitsTest {
    private static final float BOUND = 1e-4f;

    private static final String[] QUANT_TYPES = {"f16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k", "q3_k_m",
            "q4_k_m", "q5_k_m", "q6_k", "iq4_xs", "iq4_nl"};
    /** The i-quant files (testdata iquant/, models and references side by side); iq2_m is the one holding IQ2_S. */
    private static final String[] IQUANT_TYPES = {"iq1_s", "iq1_m", "iq2_xxs", "iq2_xs", "iq2_m", "iq3_xxs", "iq3_s"};

    private record Subject(String label, String modelFile, String casesJson, String refPattern) {
        String refFile(int i) {
            return refPattern.replace("{i}", Integer.toString(i));
        }
    }

    static List<Subject> subjects() {
        List<Subject> s = new ArrayList<>();
        s.add(new Subject("tiny-v3.bf16", "models/tiny-v3.bf16.gguf", "reference/tiny-v3.cases.json",
                "reference/tiny-v3.case{i}.logits.f32"));
        s.add(new Subject("tiny-v2.bf16", "models/tiny-v2.bf16.gguf", "reference/tiny-v2.cases.json",
                "reference/tiny-v2.case{i}.logits.f32"));
        s.add(new Subject("tiny-v3.legacy-kv_b.bf16", "models/tiny-v3.legacy-kv_b.bf16.gguf",
                "reference/tiny-v3.cases.json", "reference/tiny-v3.case{i}.logits.f32"));
        s.add(new Subject("split tiny-v3.q8_0", "models/split/tiny-v3.q8_0-00001-of-00004.gguf",
                "reference/tiny-v3.cases.json", "reference/quant/tiny-v3.q8_0.case{i}.dequant-ref.f32"));
        for (String q : QUANT_TYPES) {
            s.add(new Subject("tiny-v3." + q, "models/quant/tiny-v3." + q + ".gguf", "reference/tiny-v3.cases.json",
                    "reference/quant/tiny-v3." + q + ".case{i}.dequant-ref.f32"));
        }
        for (String q : IQUANT_TYPES) {
            s.add(new Subject("tiny-v3." + q, "iquant/tiny-v3." + q + ".gguf", "reference/tiny-v3.cases.json",
                    "iquant/tiny-v3." + q + ".case{i}.dequant-ref.f32"));
        }
        return s;
    }

    /**
     * System property naming the subjects to run (labels containing any of its comma-separated
     * parts, e.g. {@code iq1,iq2,iq3}); all when unset. PoCL takes a minute or two per model, so a
     * change to one family of types can be checked on that family first.
     */
    static final String ONLY = "dsv3.tornado.subjects";

    @TestFactory
    Stream<DynamicNode> referenceLogits() {
        String only = System.getProperty(ONLY, "");
        return subjects().stream()
                .filter(s -> only.isBlank() || Stream.of(only.split(",")).anyMatch(p -> s.label().contains(p.trim()))).map(s -> DynamicContainer.dynamicContainer(s.label(),
                Stream.of(DynamicTest.dynamicTest("4 cases, token by token", () -> check(s)))));
    }

    private static void check(Subject s) {
        JsonNode cases = json(s.casesJson()).get("cases");
        try (GgufModel file = GgufModel.open(TestData.require(s.modelFile()));
             InferenceBackend backend = Backends.provider("tornado").load(file,
                     DeepSeekConfig.fromGguf(file, GroupRouting.AUTO), BackendOptions.defaults())) {
            int vocab = backend.config().vocabSize();
            float worst = 0f;
            for (int caseNo = 0; caseNo < cases.size(); caseNo++) {
                int[] tokens = tokens(cases.get(caseNo));
                float[] expected = floats(TestData.require(s.refFile(caseNo)));
                float[] actual = new float[tokens.length * vocab];
                try (InferenceSession session = backend.newSession(SessionOptions.defaults())) {
                    for (int i = 0; i < tokens.length; i++) {
                        float[] row = session.forward(new int[] {tokens[i]}, Logits.ALL_POSITIONS);
                        System.arraycopy(row, 0, actual, i * vocab, vocab);
                    }
                    assertEquals(tokens.length, session.position());
                }
                float max = 0f;
                for (int i = 0; i < expected.length; i++) {
                    max = Math.max(max, Math.abs(expected[i] - actual[i]));
                }
                System.out.printf("tornado %s case %d (%d tokens): max |diff| %.3g%n", s.label(), caseNo, tokens.length, max);
                worst = Math.max(worst, max);
            }
            assertTrue(worst <= BOUND, s.label() + ": max |diff| " + worst + " > " + BOUND);
        }
    }

    static int[] tokens(JsonNode c) {
        int[] t = new int[c.get("tokens").size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = c.get("tokens").get(i).asInt();
        }
        return t;
    }

    static JsonNode json(String relative) {
        try {
            return new ObjectMapper().readTree(TestData.require(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] floats(Path file) {
        try {
            byte[] b = Files.readAllBytes(file);
            float[] f = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
