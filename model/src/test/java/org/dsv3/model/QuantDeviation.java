package org.dsv3.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The bound of every path that rounds activations to 8 bits (the CPU engine's {@code cpu:int8}, the TornadoVM device's
 * {@code -Ddsv3.tornado.int8}): its logits on a tiny-v3 file and case are no further from the exactly dequantized
 * reference than llama.cpp's own quantized path (test data {@code tiny-v3.quant-reference.json}):
 * <ul>
 *   <li>the max |diff| over all positions and the vocabulary is at most llama.cpp's
 *       {@code llamacpp_quantized_vs_dequant_ref_maxabs}; or</li>
 *   <li>on a case where llama.cpp's own rounding flipped a near-tied expert choice (its max |diff| above
 *       {@value #FLIP} or its top-1 agreement below 1; the random tiny models' routing gaps go down to 6e-4), the
 *       max |diff| only says which choices flipped, a chaotic function of the rounding (it moved between 0.16 and
 *       1.8 on one case with the summation order of a float reduction); there the top-1 agreement with the
 *       reference must be at least llama.cpp's {@code top1_agree}.</li>
 * </ul>
 */
public final class QuantDeviation {
    /** A llama.cpp deviation above this is a flipped expert choice, not rounding noise (which stays ≤ 0.18 on every file). */
    public static final double FLIP = 0.5;

    private QuantDeviation() {
    }

    /** What a path's logits measured against the reference, beside llama.cpp's. */
    public record Measured(float maxAbs, double top1, float llamaMaxAbs, double llamaTop1) {
        public String describe() {
            return String.format("max |diff| %.4g (llama.cpp %.4g), top-1 %.3f (llama.cpp %.3f)", maxAbs, llamaMaxAbs, top1,
                    llamaTop1);
        }
    }

    /** The token ids of tiny-v3 case {@code caseNo}. */
    public static int[] tokens(int caseNo) {
        return ReferenceFiles.tokens("reference/tiny-v3.cases.json", caseNo);
    }

    /**
     * Asserts the bound for the logits {@code actual} ({@code [tokens][vocab]}, token by token) of {@code tiny-v3.TYPE}
     * case {@code caseNo}; {@code label} names the path in the messages.
     */
    public static Measured check(String label, String type, int caseNo, float[] actual) {
        JsonNode bound = ReferenceFiles.json("reference/quant/tiny-v3.quant-reference.json").get(type).get("cases").get(caseNo);
        assertEquals(caseNo, bound.get("case").asInt());
        float maxAllowed = (float) bound.get("llamacpp_quantized_vs_dequant_ref_maxabs").asDouble();
        double top1Allowed = bound.get("top1_agree").asDouble();
        int positions = tokens(caseNo).length;
        float[] expected = ReferenceFiles.floats(TestData.require("reference/quant/tiny-v3." + type + ".case" + caseNo + ".dequant-ref.f32"));
        assertEquals(expected.length, actual.length, label + ": logits of " + positions + " positions");
        int vocab = expected.length / positions;
        float max = 0f;
        int agree = 0;
        for (int t = 0; t < positions; t++) {
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
        Measured m = new Measured(max, agree / (double) positions, maxAllowed, top1Allowed);
        System.out.printf("%s tiny-v3.%s case %d: %s%n", label, type, caseNo, m.describe());
        if (max <= maxAllowed) {
            return m;
        }
        String what = label + " tiny-v3." + type + " case " + caseNo + ": max |diff| " + max + " > llama.cpp's " + maxAllowed;
        assertTrue(maxAllowed > FLIP || top1Allowed < 1, what);
        assertTrue(m.top1() >= top1Allowed, what + " and top-1 agreement " + m.top1() + " < llama.cpp's " + top1Allowed);
        return m;
    }
}
