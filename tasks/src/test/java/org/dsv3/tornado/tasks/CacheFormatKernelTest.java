package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.dsv3.tornado.kernels.CacheFormat;
import org.junit.jupiter.api.Test;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The device's half-precision cache codec ({@link CacheFormat}, run as a kernel on TornadoVM's device) against
 * Java's own conversions: F16 encoding bit for bit equal to {@link Float#floatToFloat16} (what the CPU
 * engine's F16 cache stores) and decoding equal to {@link Float#float16ToFloat}; BF16 against the IEEE
 * round-to-nearest-even truncation of the float's bits. Inputs: every half value and the midpoints between
 * neighbours (the ties), values just around them, the overflow edge, and random floats of every magnitude.
 */
class CacheFormatKernelTest {
    private static final int GROUP = 256;

    /** {@code bits[i] = encode(values[i])}, {@code back[i] = decode(codes[i])} (both in {@code format}). */
    public static void codec(KernelContext ctx, FloatArray values, IntArray bits, IntArray codes, FloatArray back, int format, int n) {
        int i = ctx.globalIdx;
        if (i < n) {
            bits.set(i, CacheFormat.encode(format, values.get(i)));
            back.set(i, CacheFormat.decode(format, codes.get(i)));
        }
    }

    @Test
    void f16MatchesJava() {
        List<Float> v = inputs(true);
        int[] codes = new int[v.size()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = i & 0xFFFF;
        }
        Result r = run(CacheFormat.F16, v, codes);
        int wrongBits = 0;
        for (int i = 0; i < v.size(); i++) {
            float x = v.get(i);
            int expected = Float.floatToFloat16(x) & 0xFFFF;
            if (x == 0f) {
                expected &= 0x7FFF;   // −0 encodes as +0 (documented)
            }
            if (expected != r.bits[i] && wrongBits++ < 10) {
                System.out.printf("f16 encode %s (%08x): device %04x, Java %04x%n", x, Float.floatToRawIntBits(x), r.bits[i], expected);
            }
        }
        int wrongValues = 0;
        for (int i = 0; i < codes.length; i++) {
            int e = (codes[i] >> 10) & 31;
            if (e == 31) {
                continue;   // infinities and NaNs never reach the cache (documented: decode as large finite values)
            }
            float expected = Float.float16ToFloat((short) codes[i]);
            if (Float.compare(expected, r.back[i]) != 0 && !(expected == 0f && r.back[i] == 0f) && wrongValues++ < 10) {
                System.out.printf("f16 decode %04x: device %s, Java %s%n", codes[i], r.back[i], expected);
            }
        }
        System.out.printf("f16 codec: %d values encoded, %d wrong; %d codes decoded, %d wrong%n", v.size(), wrongBits,
                codes.length, wrongValues);
        assertEquals(0, wrongBits, "F16 encodings that differ from Float.floatToFloat16");
        assertEquals(0, wrongValues, "F16 decodings that differ from Float.float16ToFloat");
    }

    @Test
    void bf16MatchesRoundToNearestEven() {
        List<Float> v = inputs(false);
        int[] codes = new int[v.size()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = i & 0xFFFF;
        }
        Result r = run(CacheFormat.BF16, v, codes);
        int wrongBits = 0;
        for (int i = 0; i < v.size(); i++) {
            float x = v.get(i);
            int b = Float.floatToRawIntBits(x);
            int expected = ((b + 0x7FFF + ((b >>> 16) & 1)) >>> 16) & 0xFFFF;
            if (Math.abs(x) < 0x1p-126f) {
                continue;   // zeros and float32 subnormals encode as ±0 (documented)
            }
            if (expected != r.bits[i] && wrongBits++ < 10) {
                System.out.printf("bf16 encode %s (%08x): device %04x, expected %04x%n", x, b, r.bits[i], expected);
            }
        }
        int wrongValues = 0;
        for (int i = 0; i < codes.length; i++) {
            int e = (codes[i] >> 7) & 255;
            if (e == 255 || e == 0) {
                continue;   // infinities, NaNs and subnormals (below 2^-126) never matter in the cache
            }
            float expected = Float.intBitsToFloat(codes[i] << 16);
            if (Float.compare(expected, r.back[i]) != 0 && wrongValues++ < 10) {
                System.out.printf("bf16 decode %04x: device %s, expected %s%n", codes[i], r.back[i], expected);
            }
        }
        System.out.printf("bf16 codec: %d values encoded, %d wrong; %d codes decoded, %d wrong%n", v.size(), wrongBits,
                codes.length, wrongValues);
        assertEquals(0, wrongBits, "BF16 encodings that differ from round to nearest even");
        assertEquals(0, wrongValues, "BF16 decodings that differ from the bits' float");
    }

    /**
     * Every value of the format, the midpoints between neighbours (ties), one float ulp either side of them,
     * values around the overflow edge, and random floats over many binades.
     */
    private static List<Float> inputs(boolean f16) {
        List<Float> v = new ArrayList<>();
        for (int h = 0; h < 0x10000; h++) {
            float x = f16 ? Float.float16ToFloat((short) h) : Float.intBitsToFloat(h << 16);
            float next = f16 ? Float.float16ToFloat((short) (h + 1)) : Float.intBitsToFloat((h + 1) << 16);
            if (Float.isNaN(x) || Float.isInfinite(x)) {
                continue;
            }
            v.add(x);
            if ((h & 0x7FFF) != (f16 ? 0x7BFF : 0x7F7F) && !Float.isInfinite(next) && !Float.isNaN(next)) {
                float mid = (float) (((double) x + next) / 2);
                v.add(mid);
                v.add(Math.nextUp(mid));
                v.add(Math.nextDown(mid));
            }
        }
        float edge = f16 ? 65520f : Float.intBitsToFloat(0x7F7F8000);
        v.add(edge);
        v.add(Math.nextDown(edge));
        v.add(Math.nextUp(edge));
        v.add(f16 ? 1e6f : Float.MAX_VALUE);
        Random rnd = new Random(16);
        for (int i = 0; i < 200_000; i++) {
            double mag = Math.pow(2, f16 ? rnd.nextDouble() * 44 - 28 : rnd.nextDouble() * 240 - 120);
            v.add((float) ((rnd.nextBoolean() ? -1 : 1) * mag * (1 + rnd.nextDouble())));
        }
        return v;
    }

    private record Result(int[] bits, float[] back) {
    }

    private static Result run(int format, List<Float> values, int[] codesHost) {
        int n = Math.max(values.size(), codesHost.length);
        FloatArray in = new FloatArray(n);
        IntArray codes = new IntArray(n);
        for (int i = 0; i < values.size(); i++) {
            in.set(i, values.get(i));
        }
        for (int i = 0; i < codesHost.length; i++) {
            codes.set(i, codesHost[i]);
        }
        IntArray bits = new IntArray(n);
        FloatArray back = new FloatArray(n);
        String name = "codec" + format;
        TaskGraph g = new TaskGraph(name)
                .transferToDevice(DataTransferMode.EVERY_EXECUTION, in, codes)
                .task("c", CacheFormatKernelTest::codec, new KernelContext(), in, bits, codes, back, format, n)
                .transferToHost(DataTransferMode.EVERY_EXECUTION, bits, back);
        WorkerGrid1D grid = new WorkerGrid1D((n + GROUP - 1) / GROUP * GROUP);
        grid.setLocalWork(GROUP, 1, 1);
        try (TornadoExecutionPlan plan = new TornadoExecutionPlan(g.snapshot())) {
            plan.withGridScheduler(new GridScheduler(name + ".c", grid)).execute();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        int[] b = new int[values.size()];
        for (int i = 0; i < b.length; i++) {
            b[i] = bits.get(i);
        }
        float[] d = new float[codesHost.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = back.get(i);
        }
        return new Result(b, d);
    }
}
