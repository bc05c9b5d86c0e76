package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * What the seven lattice i-quants (IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S) have in
 * common: a 256-value block decodes to 256 small signed integers (grid points with their signs)
 * and one float factor per 16 values, value i being {@code factor[i / 16] · q[i]}. Each format only
 * says how its bits give {@code q} and the factors ({@link #decode}); dequantization and the dot
 * product follow from that, here and in the vectorised kernels.
 *
 * <p>The factors are computed in float32 exactly as gguf-py's dequantizer does, so that
 * {@code factor · q} is the very float it produces (for IQ1 the ±1/8 offset is folded in as
 * {@code (dl/8)·(8g ± 1)}, the same product of the same real numbers).
 */
public abstract class GridFormat implements BlockFormat {
    public static final int BLOCK_VALUES = 256;
    /** Values per factor. */
    public static final int GROUP = 16;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /**
     * Decodes the block at byte {@code blk}: its 256 integers into {@code q[0..256)} and its 16
     * factors into {@code factor[0..16)}.
     */
    public abstract void decode(MemorySegment seg, long blk, byte[] q, float[] factor);

    /** Stores the 8 packed values {@code packed} at q[at..at+8). */
    protected static void put8(byte[] q, int at, long packed) {
        LONGS.set(q, at, packed);
    }

    /** ggml's sub-block scale for the 2- and 3-bit types: {@code d·(0.5 + s)·mul}, in float32 steps. */
    protected static float halfStep(float d, int s, float mul) {
        return d * (0.5f + s) * mul;
    }

    /** IQ2_XS / IQ2_S: sub-block j's scale byte {@code s}, low nibble for its first 16 values, high nibble for the last 16. */
    protected static void nibbleScales(float d, int s, float[] factor, int j) {
        factor[2 * j] = halfStep(d, s & 15, 0.25f);
        factor[2 * j + 1] = halfStep(d, s >> 4, 0.25f);
    }

    @Override
    public long bytesFor(int n) {
        return type().bytesFor(n);
    }

    @Override
    public void dequantize(MemorySegment seg, long offset, float[] out, int outOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        byte[] q = new byte[BLOCK_VALUES];
        float[] f = new float[BLOCK_VALUES / GROUP];
        for (int b = 0; b < nb; b++) {
            decode(seg, offset + (long) b * type().typeSize(), q, f);
            int o = outOff + b * BLOCK_VALUES;
            for (int i = 0; i < BLOCK_VALUES; i++) {
                out[o + i] = f[i / GROUP] * q[i];
            }
        }
    }

    @Override
    public float dot(MemorySegment seg, long offset, float[] x, int xOff, int n) {
        int nb = BlockFormat.blocks(type(), n);
        byte[] q = new byte[BLOCK_VALUES];
        float[] f = new float[BLOCK_VALUES / GROUP];
        float sum = 0f;
        for (int b = 0; b < nb; b++) {
            decode(seg, offset + (long) b * type().typeSize(), q, f);
            int xo = xOff + b * BLOCK_VALUES;
            for (int g = 0; g < BLOCK_VALUES / GROUP; g++) {
                float s = 0f;
                for (int i = g * GROUP; i < (g + 1) * GROUP; i++) {
                    s += q[i] * x[xo + i];
                }
                sum += f[g] * s;
            }
        }
        return sum;
    }
}
