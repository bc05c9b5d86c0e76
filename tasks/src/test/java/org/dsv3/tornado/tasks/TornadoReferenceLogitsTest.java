package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;
import java.util.stream.Stream;
import org.dsv3.model.ReferenceFiles;
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
 * through the decode graphs, against the same reference logits the CPU engine passes (testdata README;
 * quantized files against llama.cpp's logits for their exactly dequantized twins).
 *
 * <p>Two sets, so that CI (2 cores, PoCL) stays within its time: by default every model runs its three
 * short cases token by token (one {@code forward} call per token, the decode graphs) and its 160-token case
 * batched (one call for the whole prompt, all positions' logits: the prefill graphs, {@link PrefillGraphs},
 * in one chunk of the default batch) — each model through both paths.
 * {@code -Dtornado.full} adds the other way round for every case (long case token by token, short
 * cases batched), about twice the device time.
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

    /** The case of 160 tokens; the others have 15–27. */
    private static final int LONG_CASE = 3;

    /**
     * System property naming the subjects to run (labels containing any of its comma-separated
     * parts, e.g. {@code iq1,iq2,iq3}); all when unset. PoCL takes a minute or two per model, so a
     * change to one family of types can be checked on that family first.
     */
    static final String ONLY = "dsv3.tornado.subjects";

    /** Whether {@code -Dtornado.full} asks for the whole set (the property given without a value counts too). */
    static boolean fullSet() {
        String v = System.getProperty("tornado.full");
        return v != null && !v.equalsIgnoreCase("false");
    }

    @TestFactory
    Stream<DynamicNode> referenceLogits() {
        boolean full = fullSet();
        System.out.println("TornadoVM conformance set: " + (full
                ? "full (-Dtornado.full): every case token by token and batched"
                : "CI: short cases token by token, the long case batched (-Dtornado.full for all of both)"));
        String only = System.getProperty(ONLY, "");
        return subjects().stream()
                .filter(s -> only.isBlank() || Stream.of(only.split(",")).anyMatch(p -> s.label().contains(p.trim())))
                .map(s -> {
            List<DynamicTest> tests = new ArrayList<>();
            tests.add(DynamicTest.dynamicTest("cases 0-2 token by token, case 3 batched",
                    () -> check(s, c -> c == LONG_CASE)));
            if (full) {
                tests.add(DynamicTest.dynamicTest("case 3 token by token, cases 0-2 batched",
                        () -> check(s, c -> c != LONG_CASE)));
            }
            return DynamicContainer.dynamicContainer(s.label(), tests.stream());
        });
    }

    /** Every case of {@code s}, each batched where {@code batched} says so, else token by token. */
    private static void check(Subject s, IntPredicate batched) {
        JsonNode cases = ReferenceFiles.json(s.casesJson()).get("cases");
        try (GgufModel file = GgufModel.open(TestData.require(s.modelFile()));
             InferenceBackend backend = Backends.provider("tornado").load(file,
                     DeepSeekConfig.fromGguf(file, GroupRouting.AUTO), BackendOptions.defaults())) {
            int vocab = backend.config().vocabSize();
            for (int caseNo = 0; caseNo < cases.size(); caseNo++) {
                int[] tokens = tokens(cases.get(caseNo));
                float[] expected = ReferenceFiles.floats(TestData.require(s.refFile(caseNo)));
                boolean batch = batched.test(caseNo);
                float[] actual;
                try (InferenceSession session = backend.newSession(SessionOptions.defaults())) {
                    assertTrue(((TornadoBackend) backend).plan().batched(), "the plan has the batched prefill graphs");
                    actual = batch ? session.forward(tokens, Logits.ALL_POSITIONS) : tokenByToken(session, tokens, vocab);
                    assertEquals(tokens.length, session.position());
                }
                assertEquals(expected.length, actual.length, "logits of " + s.label() + " case " + caseNo);
                float max = 0f;
                for (int i = 0; i < expected.length; i++) {
                    max = Math.max(max, Math.abs(expected[i] - actual[i]));
                }
                String how = batch ? "batched" : "token by token";
                System.out.printf("tornado %s case %d (%d tokens, %s): max |diff| %.3g%n", s.label(), caseNo, tokens.length, how, max);
                // checked case by case, so that a case is judged even when a later one's reference is absent (subset)
                assertTrue(max <= BOUND, s.label() + " case " + caseNo + " (" + how + "): max |diff| " + max + " > " + BOUND);
            }
        }
    }

    private static float[] tokenByToken(InferenceSession session, int[] tokens, int vocab) {
        float[] actual = new float[tokens.length * vocab];
        for (int i = 0; i < tokens.length; i++) {
            float[] row = session.forward(new int[] {tokens[i]}, Logits.ALL_POSITIONS);
            System.arraycopy(row, 0, actual, i * vocab, vocab);
        }
        return actual;
    }

    static int[] tokens(JsonNode c) {
        int[] t = new int[c.get("tokens").size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = c.get("tokens").get(i).asInt();
        }
        return t;
    }
}
