package org.dsv3.cpu.kernels;

import java.lang.foreign.MemorySegment;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.GridFormat;

/**
 * Row kernels over ggml-typed weights read in place from a {@link MemorySegment}: a fused
 * dequantize-and-dot of one weight row with a float vector, and dequantization of one row (for
 * prefill, where a row is decoded once and reused against many activations). F32, F16, BF16, Q8_0,
 * Q4_0, Q5_0, Q4_K, Q5_K, Q6_K and the seven lattice i-quants (IQ1_S … IQ3_S) run on the Vector API
 * at the width {@link Lanes#ACTIVE} picks; every
 * other supported type (and every type on machines with vectors narrower than 256 bits) uses the
 * scalar {@link BlockFormat}. Unsupported types throw IllegalArgumentException naming the type.
 *
 * <p>Contract for both methods: {@code n} is a multiple of the type's block size and
 * {@code offset} is the byte offset of a block start (e.g. {@code row * tensor.rowBytes()}).
 * Results are accumulated in float32; a dot may differ from the scalar one by summation order.
 */
public final class VectorDot {
    private static final boolean FAST = Lanes.ACTIVE != null;

    private VectorDot() {
    }

    /** Σ_i w[i]·x[xOff+i] over the n values of type {@code t} stored from byte {@code offset} of {@code seg}. */
    public static float dot(GgmlType t, MemorySegment seg, long offset, float[] x, int xOff, int n) {
        if (FAST) {
            switch (t) {
                case F32: return F32Kernel.dot(seg, offset, x, xOff, n);
                case F16: return F16Kernel.dot(seg, offset, x, xOff, n);
                case BF16: return BF16Kernel.dot(seg, offset, x, xOff, n);
                case Q8_0: return Q8_0Kernel.dot(seg, offset, x, xOff, n);
                case Q4_0: return Q4_0Kernel.dot(seg, offset, x, xOff, n);
                case Q5_0: return Q5_0Kernel.dot(seg, offset, x, xOff, n);
                case Q4_K: return Q4_KKernel.dot(seg, offset, x, xOff, n);
                case Q5_K: return Q5_KKernel.dot(seg, offset, x, xOff, n);
                case Q6_K: return Q6_KKernel.dot(seg, offset, x, xOff, n);
                case IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S:
                    return IQuantKernel.dot((GridFormat) BlockFormat.of(t), seg, offset, x, xOff, n);
                default: break;
            }
        }
        return BlockFormat.of(t).dot(seg, offset, x, xOff, n);
    }

    /**
     * {@code out[outOff + r] = row r · x[xOff …]} for the {@code rows} rows of {@code n} values of type
     * {@code t} stored from byte {@code offset} of {@code seg}, {@code rowBytes} apart: {@link #dot} row
     * by row, with the kernel's per-block scratch (decoded factors) allocated once for all rows
     * instead of once a row (a decode token makes some 600,000 row products).
     */
    public static void dotRows(GgmlType t, MemorySegment seg, long offset, long rowBytes, int rows, float[] x, int xOff,
                               int n, float[] out, int outOff) {
        if (FAST) {
            switch (t) {
                case Q5_0: Q5_0Kernel.dotRows(seg, offset, rowBytes, rows, x, xOff, n, out, outOff); return;
                case Q4_K: Q4_KKernel.dotRows(seg, offset, rowBytes, rows, x, xOff, n, out, outOff); return;
                case Q5_K: Q5_KKernel.dotRows(seg, offset, rowBytes, rows, x, xOff, n, out, outOff); return;
                case Q6_K: Q6_KKernel.dotRows(seg, offset, rowBytes, rows, x, xOff, n, out, outOff); return;
                case IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S:
                    IQuantKernel.dotRows((GridFormat) BlockFormat.of(t), seg, offset, rowBytes, rows, x, xOff, n, out, outOff);
                    return;
                default: break;
            }
        }
        for (int r = 0; r < rows; r++) {
            out[outOff + r] = dot(t, seg, offset + r * rowBytes, x, xOff, n);
        }
    }

    /**
     * Whether weights of type {@code t} have an integer dot product with 8-bit activation blocks
     * ({@link #dotQ8}) on this machine.
     */
    public static boolean hasQ8Dot(GgmlType t) {
        return FAST && (t == GgmlType.Q8_0 || t == GgmlType.Q5_0 || t == GgmlType.Q4_K || t == GgmlType.Q6_K);
    }

    /**
     * Σ_i w[i]·x[xOff+i] with the activations rounded to 8-bit blocks ({@link Q8Blocks}): integer
     * products inside each block (each sub-block of a Q4_K or Q6_K block), float32 across them. {@code xOff} is a multiple of 32 (a block
     * start of {@code x}). Only for types where {@link #hasQ8Dot} holds.
     */
    public static float dotQ8(GgmlType t, MemorySegment seg, long offset, Q8Blocks x, int xOff, int n) {
        if (!hasQ8Dot(t)) {
            throw new IllegalArgumentException("no integer dot product for " + t + " weights");
        }
        return switch (t) {
            case Q4_K -> Q4_KKernel.dotQ8(seg, offset, x.pairs(), x.scales(), x.sums(), xOff, n);
            case Q6_K -> Q6_KKernel.dotQ8(seg, offset, x.pairs(), x.scales(), x.halfSums(), xOff, n);
            case Q5_0 -> Q5_0Kernel.dotQ8(seg, offset, x.quants(), x.scales(), xOff, n);
            default -> Q8_0Kernel.dotQ8(seg, offset, x.quants(), x.scales(), xOff, n);
        };
    }

    /**
     * {@code out[outOff + r] =} {@link #dotQ8} of row r, for {@code rows} rows {@code rowBytes} apart
     * (scratch allocated once for all rows, as in {@link #dotRows}).
     */
    public static void dotQ8Rows(GgmlType t, MemorySegment seg, long offset, long rowBytes, int rows, Q8Blocks x, int xOff,
                                 int n, float[] out, int outOff) {
        if (!hasQ8Dot(t)) {
            throw new IllegalArgumentException("no integer dot product for " + t + " weights");
        }
        switch (t) {
            case Q4_K -> Q4_KKernel.dotQ8Rows(seg, offset, rowBytes, rows, x.pairs(), x.scales(), x.sums(), xOff, n, out, outOff);
            case Q6_K -> Q6_KKernel.dotQ8Rows(seg, offset, rowBytes, rows, x.pairs(), x.scales(), x.halfSums(), xOff, n, out, outOff);
            case Q5_0 -> {
                for (int r = 0; r < rows; r++) {
                    out[outOff + r] = Q5_0Kernel.dotQ8(seg, offset + r * rowBytes, x.quants(), x.scales(), xOff, n);
                }
            }
            default -> {
                for (int r = 0; r < rows; r++) {
                    out[outOff + r] = Q8_0Kernel.dotQ8(seg, offset + r * rowBytes, x.quants(), x.scales(), xOff, n);
                }
            }
        }
    }

    /** Dequantizes the n values of type {@code t} stored from byte {@code offset} into out[outOff..outOff+n). */
    public static void dequantizeRow(GgmlType t, MemorySegment seg, long offset, float[] out, int outOff, int n) {
        if (FAST) {
            switch (t) {
                case F32: F32Kernel.dequantize(seg, offset, out, outOff, n); return;
                case F16: F16Kernel.dequantize(seg, offset, out, outOff, n); return;
                case BF16: BF16Kernel.dequantize(seg, offset, out, outOff, n); return;
                case Q8_0: Q8_0Kernel.dequantize(seg, offset, out, outOff, n); return;
                case Q4_0: Q4_0Kernel.dequantize(seg, offset, out, outOff, n); return;
                case Q5_0: Q5_0Kernel.dequantize(seg, offset, out, outOff, n); return;
                case Q4_K: Q4_KKernel.dequantize(seg, offset, out, outOff, n); return;
                case Q5_K: Q5_KKernel.dequantize(seg, offset, out, outOff, n); return;
                case Q6_K: Q6_KKernel.dequantize(seg, offset, out, outOff, n); return;
                case IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S:
                    IQuantKernel.dequantize((GridFormat) BlockFormat.of(t), seg, offset, out, outOff, n); return;
                default: break;
            }
        }
        BlockFormat.of(t).dequantize(seg, offset, out, outOff, n);
    }

    /** Whether {@code t} has a vectorised kernel on this machine (otherwise the scalar format is used). */
    public static boolean isVectorised(GgmlType t) {
        return FAST && switch (t) {
            case F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q5_K, Q6_K -> true;
            case IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S -> true;
            default -> false;
        };
    }

    /** The float lane count the kernels use in this JVM (see {@link Lanes#ACTIVE}), or 0 when they fall back to scalar code. */
    public static int laneCount() {
        return FAST ? Lanes.ACTIVE.length() : 0;
    }
}
