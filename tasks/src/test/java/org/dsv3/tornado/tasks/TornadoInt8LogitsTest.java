package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.dsv3.model.QuantDeviation;
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
 * The decode pass with 8-bit inputs ({@code -Ddsv3.tornado.int8=true}: the Q8_0 products of q/kv, the FFN and the
 * output head as integer dots over inputs rounded to blocks of 32) against the exactly dequantized reference logits
 * of the Q8_0 file, token by token, with llama.cpp's own quantized path as the bound ({@link QuantDeviation}, the
 * rule of the CPU engine's int8 path too). And the rounding really happens: the logits move by more than float32
 * summation order moves them (the exact path stays within 2.6e-5 of the reference).
 */
class TornadoInt8LogitsTest {
    private static final float NOT_ROUNDED = 1e-3f;

    @TestFactory
    Stream<DynamicTest> noFurtherFromTheReferenceThanLlamaCpp() {
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int caseNo = i;
            tests.add(DynamicTest.dynamicTest("tiny-v3.q8_0 case " + caseNo, () -> check(caseNo, Map.of())));
        }
        // the routed experts' launch in wider work-groups (32 or 16 lanes a row; -Ddsv3.tornado.expertsGroup), and
        // the down launch with two rows a work-group (-Ddsv3.tornado.downTwoRows)
        tests.add(DynamicTest.dynamicTest("tiny-v3.q8_0 case 0, experts work-groups of 1024",
                () -> check(0, Map.of("dsv3.tornado.expertsGroup", "1024"))));
        tests.add(DynamicTest.dynamicTest("tiny-v3.q8_0 case 2, experts work-groups of 512, down two rows a group",
                () -> check(2, Map.of("dsv3.tornado.expertsGroup", "512", "dsv3.tornado.downTwoRows", "true"))));
        return tests.stream();
    }

    private static void check(int caseNo, Map<String, String> planProperties) {
        QuantDeviation.Measured m = QuantDeviation.check("tornado int8", "q8_0", caseNo,
                int8TokenByToken(QuantDeviation.tokens(caseNo), planProperties));
        assertTrue(m.maxAbs() > NOT_ROUNDED, "case " + caseNo + ": max |diff| " + m.maxAbs()
                + " is summation noise: the 8-bit path did not run");
    }

    private static float[] int8TokenByToken(int[] tokens, Map<String, String> planProperties) {
        String before = System.getProperty("dsv3.tornado.int8");
        System.setProperty("dsv3.tornado.int8", "true");
        planProperties.forEach(System::setProperty);
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
            planProperties.keySet().forEach(System::clearProperty);
            if (before == null) {
                System.clearProperty("dsv3.tornado.int8");
            } else {
                System.setProperty("dsv3.tornado.int8", before);
            }
        }
    }
}
