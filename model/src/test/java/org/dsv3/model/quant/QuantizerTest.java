package org.dsv3.model.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.dsv3.model.TestData;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class QuantizerTest {
    static final Set<GgmlType> QUANTIZABLE = EnumSet.of(GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0,
            GgmlType.Q4_0, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    static List<QuantSample> quantizableSamples() {
        return QuantSample.all().stream().filter(s -> QUANTIZABLE.contains(s.type())).toList();
    }

    static MemorySegment quantize(GgmlType t, float[] x) {
        MemorySegment out = MemorySegment.ofArray(new byte[Math.toIntExact(t.bytesFor(x.length))]);
        Quantizer q = Quantizer.of(t);
        assertEquals(t, q.type());
        q.quantize(x, 0, x.length, out, 0);
        return out;
    }

    static float[] dequantize(GgmlType t, MemorySegment seg, int n) {
        float[] y = new float[n];
        BlockFormat.of(t).dequantize(seg, 0, y, 0, n);
        return y;
    }

    /** llama-quantize started from the BF16 model; quantizing the same values must give its very bytes. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("quantizableSamples")
    void reproducesLlamaQuantizeBytes(QuantSample s) {
        MemorySegment mine = quantize(s.type(), s.originals());
        long at = mine.mismatch(s.blocks());
        if (at != -1) {
            fail(s + ": first differing byte " + at + " (block " + at / s.type().typeSize() + ")");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("quantizableSamples")
    void reproducesLlamaQuantizeOnWholeTensors(QuantSample s) {
        TestData.requireFull("quantizing whole tensors");
        try (GgufModel original = GgufModel.open(TestData.require("models/tiny-v3.bf16.gguf"));
                GgufModel quantized = GgufModel.open(TestData.require(s.modelPath()))) {
            GgufTensor src = original.tensor(s.tensor());
            GgufTensor want = quantized.tensor(s.tensor());
            int n = Math.toIntExact(src.elementCount());
            float[] x = new float[n];
            BlockFormat.of(src.type()).dequantize(src.data(), 0, x, 0, n);
            MemorySegment mine = quantize(want.type(), x);
            assertEquals(-1, mine.mismatch(want.data()), s + ": bytes differ from llama-quantize's");
        }
    }

    /** Dequantized llama.cpp blocks lie on a quantization grid already: quantizing them again lands (almost) on the same values. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("quantizableSamples")
    void requantizingDequantizedBlocksKeepsTheValues(QuantSample s) {
        float[] v = dequantize(s.type(), s.blocks(), s.count());
        float[] again = dequantize(s.type(), quantize(s.type(), v), s.count());
        double err2 = 0;
        double sum2 = 0;
        double maxErr = 0;
        double maxAbs = 0;
        for (int i = 0; i < v.length; i++) {
            double e = again[i] - v[i];
            err2 += e * e;
            sum2 += (double) v[i] * v[i];
            maxErr = Math.max(maxErr, Math.abs(e));
            maxAbs = Math.max(maxAbs, Math.abs(v[i]));
        }
        double relRmse = Math.sqrt(err2 / sum2);
        // round-to-nearest types map their own grid exactly onto itself; the K-quants re-fit their scales
        double tolerance = switch (s.type()) {
            case F16, Q8_0, Q4_0, Q5_0 -> 0;
            case Q5_1 -> 1e-3;
            default -> 0.02;
        };
        assertTrue(relRmse <= tolerance, s + ": re-quantized values off by relative RMS " + relRmse
                + " (max " + maxErr + " of values up to " + maxAbs + ")");
    }

    static float[] gaussian(long seed, int n) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        return x;
    }

    /** Per-value error bounds of the round-to-nearest types, per block of 32 (d as the quantizer computes it). */
    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q5_1"})
    void roundToNearestErrorBounds(GgmlType t) {
        float[] x = gaussian(t.id(), 4096);
        MemorySegment q = quantize(t, x);
        float[] y = dequantize(t, q, x.length);
        for (int b = 0; b < x.length / 32; b++) {
            float amax = 0f;
            float max = 0f;
            float min = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (int j = 32 * b; j < 32 * b + 32; j++) {
                if (Math.abs(x[j]) > amax) {
                    amax = Math.abs(x[j]);
                    max = x[j];
                }
                min = Math.min(min, x[j]);
                hi = Math.max(hi, x[j]);
            }
            for (int j = 32 * b; j < 32 * b + 32; j++) {
                double err = Math.abs(y[j] - x[j]);
                double bound = switch (t) {
                    case F32 -> 0;
                    case F16 -> Math.abs(x[j]) * 0x1p-11 + 0x1p-25;
                    case BF16 -> Math.abs(x[j]) * 0x1p-8;
                    case Q8_0 -> halfAndRounding(amax / 127, 127, 0, 0.5);
                    case Q4_0 -> halfAndRounding(Math.abs(max / 8), 8, 0, 1);
                    case Q5_0 -> halfAndRounding(Math.abs(max / 16), 16, 0, 1);
                    case Q5_1 -> halfAndRounding((hi - min) / 31, 31, min, 0.5);
                    default -> throw new AssertionError(t);
                };
                assertTrue(err <= bound, t + " value " + j + ": " + x[j] + " -> " + y[j] + ", error " + err + " > " + bound);
            }
        }
    }

    /**
     * {@code steps} quantization steps of size d, plus what storing d (and the offset m) as
     * half precision can add for quants up to {@code qmax}.
     */
    private static double halfAndRounding(double d, int qmax, float m, double steps) {
        double dHalfErr = d * 0x1p-11;
        double mHalfErr = Math.abs(m) * 0x1p-11;
        return steps * d + qmax * dHalfErr + mHalfErr + 1e-9;
    }

    /** The searched K-quants: relative RMS error on Gaussian data within what their bit widths give. */
    @ParameterizedTest
    @EnumSource(names = {"Q4_K", "Q5_K", "Q6_K", "Q8_0", "Q4_0", "Q5_0", "Q5_1"})
    void relativeRmsError(GgmlType t) {
        float[] x = gaussian(100 + t.id(), 8192);
        float[] y = dequantize(t, quantize(t, x), x.length);
        double err2 = 0;
        double sum2 = 0;
        for (int i = 0; i < x.length; i++) {
            err2 += (double) (y[i] - x[i]) * (y[i] - x[i]);
            sum2 += (double) x[i] * x[i];
        }
        double rel = Math.sqrt(err2 / sum2);
        double bound = switch (t) {
            case Q8_0 -> 0.007;
            case Q6_K -> 0.022;
            case Q5_K, Q5_0, Q5_1 -> 0.05;
            case Q4_K, Q4_0 -> 0.1;
            default -> throw new AssertionError(t);
        };
        assertTrue(rel <= bound, t + ": relative RMS error " + rel + " > " + bound);
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void zerosAndConstantsStayFinite(GgmlType t) {
        float[] zeros = new float[512];
        for (float v : dequantize(t, quantize(t, zeros), 512)) {
            assertTrue(v == 0f, t + " zero -> " + v); // ±0: a zero block's scale may be −0, as in ggml
        }
        float[] ones = new float[512];
        Arrays.fill(ones, 0.25f);
        for (float v : dequantize(t, quantize(t, ones), 512)) {
            assertTrue(Math.abs(v - 0.25f) <= 0.02f, t + " constant 0.25 -> " + v);
        }
    }

    @Test
    void typesWithoutQuantizerAreNamed() {
        for (GgmlType t : GgmlType.values()) {
            if (!QUANTIZABLE.contains(t)) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Quantizer.of(t));
                assertTrue(e.getMessage().contains(t.name()), e.getMessage());
            }
        }
    }

    @Test
    void bf16RoundsToNearestEven() {
        assertEquals(0x3F80, BF16Quantizer.toBf16(Float.intBitsToFloat(0x3F808000))); // tie, even stays
        assertEquals(0x3F82, BF16Quantizer.toBf16(Float.intBitsToFloat(0x3F818000))); // tie, odd rounds up
        assertEquals(0x3F81, BF16Quantizer.toBf16(Float.intBitsToFloat(0x3F808001)));
        assertEquals(0x7FC0, BF16Quantizer.toBf16(Float.intBitsToFloat(0x7F800001)) & 0x7FC0); // NaN stays NaN, quiet
        MemorySegment seg = quantize(GgmlType.BF16, new float[] {1.5f});
        assertEquals(0x3FC0, seg.get(LittleEndian.SHORT, 0) & 0xFFFF);
        assertEquals(ValueLayout.JAVA_BYTE.byteSize() * 2, seg.byteSize());
    }
}
