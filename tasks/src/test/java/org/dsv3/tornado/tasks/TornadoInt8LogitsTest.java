package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
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
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The decode pass with 8-bit FFN inputs ({@code -Ddsv3.tornado.int8=true}: the FFN gate/up products of Q8_0
 * weights as integer dots over the normalised input rounded to blocks of 32) against the exactly dequantized
 * reference logits of the Q8_0 file, token by token, with llama.cpp's own quantized path as the bound — the
 * rule of the CPU engine's int8 path ({@code Int8ReferenceLogitsTest}): max |diff| at most llama.cpp's
 * {@code llamacpp_quantized_vs_dequant_ref_maxabs}, or, on a case where llama.cpp's own rounding flipped a
 * near-tied expert choice, top-1 agreement at least llama.cpp's. And the rounding really happens: the logits
 * move by more than float32 summation order moves them (the exact path stays within 2.6e-5 of the reference).
 */
class TornadoInt8LogitsTest {
    private static final double FLIP = 0.5;
    private static final float NOT_ROUNDED = 1e-3f;

    @TestFactory
    Stream<DynamicTest> noFurtherFromTheReferenceThanLlamaCpp() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int caseNo = i;
            tests.add(DynamicTest.dynamicTest("tiny-v3.q8_0 case " + caseNo, () -> check(caseNo)));
        }
        return tests.stream();
    }

    private static void check(int caseNo) {
        JsonNode bound = ReferenceFiles.json("reference/quant/tiny-v3.quant-reference.json").get("q8_0").get("cases").get(caseNo);
        assertEquals(caseNo, bound.get("case").asInt());
        float maxAllowed = (float) bound.get("llamacpp_quantized_vs_dequant_ref_maxabs").asDouble();
        double top1Allowed = bound.get("top1_agree").asDouble();
        int[] tokens = ReferenceFiles.tokens("reference/tiny-v3.cases.json", caseNo);
        float[] expected = ReferenceFiles.floats(TestData.require("reference/quant/tiny-v3.q8_0.case" + caseNo + ".dequant-ref.f32"));
        float[] actual = int8TokenByToken(tokens);
        assertEquals(expected.length, actual.length);
        int vocab = expected.length / tokens.length;
        float max = 0f;
        int agree = 0;
        for (int t = 0; t < tokens.length; t++) {
            int e = 0;
            int a = 0;
            for (int v = 0; v < vocab; v++) {
                int i = t * vocab + v;
                max = Math.max(max, Math.abs(expected[i] - actual[i]));
                e = expected[i] > expected[t * vocab + e] ? v : e;
                a = actual[i] > actual[t * vocab + a] ? v : a;
            }
            agree += e == a ? 1 : 0;
        }
        double top1 = agree / (double) tokens.length;
        System.out.printf("tornado int8 tiny-v3.q8_0 case %d: max |diff| %.4g (llama.cpp %.4g), top-1 %.3f (llama.cpp %.3f)%n",
                caseNo, max, maxAllowed, top1, top1Allowed);
        assertTrue(max > NOT_ROUNDED, "case " + caseNo + ": max |diff| " + max + " is summation noise: the 8-bit path did not run");
        if (max <= maxAllowed) {
            return;
        }
        boolean llamaFlipped = maxAllowed > FLIP || top1Allowed < 1;
        assertTrue(llamaFlipped, "case " + caseNo + ": max |diff| " + max + " > llama.cpp's " + maxAllowed);
        assertTrue(top1 >= top1Allowed, "case " + caseNo + ": max |diff| " + max + " > llama.cpp's " + maxAllowed
                + " and top-1 agreement " + top1 + " < llama.cpp's " + top1Allowed);
    }

    private static float[] int8TokenByToken(int[] tokens) {
        String before = System.getProperty("dsv3.tornado.int8");
        System.setProperty("dsv3.tornado.int8", "true");
        try (GgufModel file = GgufModel.open(TestData.require("models/quant/tiny-v3.q8_0.gguf"));
             InferenceBackend backend = Backends.provider("tornado").load(file,
                     DeepSeekConfig.fromGguf(file, GroupRouting.AUTO), BackendOptions.defaults());
             InferenceSession session = backend.newSession(SessionOptions.defaults())) {
            int vocab = backend.config().vocabSize();
            float[] all = new float[tokens.length * vocab];
            for (int t = 0; t < tokens.length; t++) {
                float[] row = session.forward(new int[] {tokens[t]}, Logits.ALL_POSITIONS);
                System.arraycopy(row, 0, all, t * vocab, vocab);
            }
            return all;
        } finally {
            if (before == null) {
                System.clearProperty("dsv3.tornado.int8");
            } else {
                System.setProperty("dsv3.tornado.int8", before);
            }
        }
    }
}
