package org.dsv3.model.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Dequantization is bit-exact against gguf-py's reference on llama.cpp-quantized tensors. */
class DequantizeReferenceTest {

    static List<QuantSample> samples() {
        return QuantSample.everything();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void bitExactAgainstGgufPy(QuantSample s) {
        float[] expected = s.expected();
        float[] actual = new float[s.count()];
        BlockFormat.of(s.type()).dequantize(s.blocks(), 0, actual, 0, s.count());
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                fail(s + ": value " + i + " is " + actual[i] + ", gguf-py says " + expected[i]);
            }
        }
    }

    @Test
    void everyQuantizedTypeOfTheFilesIsSampled() {
        Set<GgmlType> sampled = samples().stream().map(QuantSample::type).collect(Collectors.toSet());
        Set<GgmlType> want = EnumSet.of(GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0,
                GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
                GgmlType.IQ4_NL, GgmlType.IQ4_XS, GgmlType.IQ1_S, GgmlType.IQ1_M, GgmlType.IQ2_XXS, GgmlType.IQ2_XS,
                GgmlType.IQ2_S, GgmlType.IQ3_XXS, GgmlType.IQ3_S);
        assertEquals(want, sampled);
        assertTrue(samples().stream().allMatch(s -> s.count() == 2048));
    }
}
