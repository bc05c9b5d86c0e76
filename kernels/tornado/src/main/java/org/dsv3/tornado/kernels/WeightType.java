package org.dsv3.tornado.kernels;

/**
 * The GGUF element types the device kernels read, by their ggml type id (docs/architecture.md §9.2), and
 * their block geometry. Kernels receive a tensor's type as one of these ints and dispatch on it; the
 * id is the one stored in the file, so host code passes {@code GgmlType.id()}.
 */
public final class WeightType {
    public static final int F32 = 0;
    public static final int F16 = 1;
    public static final int Q4_0 = 2;
    public static final int Q4_1 = 3;
    public static final int Q5_0 = 6;
    public static final int Q5_1 = 7;
    public static final int Q8_0 = 8;
    public static final int Q2_K = 10;
    public static final int Q3_K = 11;
    public static final int Q4_K = 12;
    public static final int Q5_K = 13;
    public static final int Q6_K = 14;
    public static final int IQ2_XXS = 16;
    public static final int IQ2_XS = 17;
    public static final int IQ3_XXS = 18;
    public static final int IQ1_S = 19;
    public static final int IQ4_NL = 20;
    public static final int IQ3_S = 21;
    public static final int IQ2_S = 22;
    public static final int IQ4_XS = 23;
    public static final int IQ1_M = 29;
    public static final int BF16 = 30;
    /**
     * Not a ggml type: Q8_0's bits rearranged at upload, row by row, into the row's quants (word-aligned, the words
     * of neighbouring blocks interleaved: {@link Q8Split}) followed by the row's 2-byte scales
     * {@code d_0 … d_{n−1}}, for a row of n blocks (n even, so every row starts on a word). Same bytes per row as
     * Q8_0; see {@code DeviceWeights}.
     */
    public static final int Q8_0_SPLIT = 208;

    private WeightType() {
    }

    /** The ggml type whose bits a device layout holds ({@link #Q8_0_SPLIT}: Q8_0); a ggml id itself otherwise. */
    public static int stored(int type) {
        return type == Q8_0_SPLIT ? Q8_0 : type;
    }

    /** Whether the device kernels can read type {@code id}. */
    public static boolean isSupported(int id) {
        return blockValues(id) > 0;
    }

    /** Values per block; 0 for a type the kernels do not read. */
    public static int blockValues(int type) {
        int n = 0;
        if (type == F32 || type == F16 || type == BF16) {
            n = 1;
        } else if (type == Q4_0 || type == Q4_1 || type == Q5_0 || type == Q5_1 || type == Q8_0 || type == IQ4_NL
                || type == Q8_0_SPLIT) {
            n = 32;
        } else if (type == Q2_K || type == Q3_K || type == Q4_K || type == Q5_K || type == Q6_K || type == IQ4_XS
                || isGrid(type)) {
            n = 256;
        }
        return n;
    }

    /** Bytes per block; 0 for a type the kernels do not read. */
    public static int blockBytes(int type) {
        int b = 0;
        if (type == F32) {
            b = 4;
        } else if (type == F16 || type == BF16) {
            b = 2;
        } else if (type == Q4_0 || type == IQ4_NL) {
            b = 18;
        } else if (type == Q4_1) {
            b = 20;
        } else if (type == Q5_0) {
            b = 22;
        } else if (type == Q5_1) {
            b = 24;
        } else if (type == Q8_0 || type == Q8_0_SPLIT) {
            b = 34;
        } else if (type == Q2_K) {
            b = 84;
        } else if (type == Q3_K) {
            b = 110;
        } else if (type == Q4_K) {
            b = 144;
        } else if (type == Q5_K) {
            b = 176;
        } else if (type == Q6_K) {
            b = 210;
        } else if (type == IQ4_XS) {
            b = 136;
        } else if (isGrid(type)) {
            b = gridBlockBytes(type);
        }
        return b;
    }

    /** Whether {@code type} is a lattice i-quant (read by {@link IQuantDot}, its grid in front of its blocks). */
    public static boolean isGrid(int type) {
        return type == IQ1_S || type == IQ1_M || type == IQ2_XXS || type == IQ2_XS || type == IQ2_S || type == IQ3_XXS
                || type == IQ3_S;
    }

    private static int gridBlockBytes(int type) {
        int b = 50;
        if (type == IQ1_M) {
            b = 56;
        } else if (type == IQ2_XXS) {
            b = 66;
        } else if (type == IQ2_XS) {
            b = 74;
        } else if (type == IQ2_S) {
            b = 82;
        } else if (type == IQ3_XXS) {
            b = 98;
        } else if (type == IQ3_S) {
            b = 110;
        }
        return b;
    }

    /** Whether {@code type} has 256-value super-blocks (K-quants, IQ4_XS, the lattice i-quants). */
    public static boolean isSuperBlock(int type) {
        return blockValues(type) == 256;
    }

    /** Bytes of one row of {@code cols} values (a whole number of blocks). */
    public static int rowBytes(int type, int cols) {
        return cols / blockValues(type) * blockBytes(type);
    }
}
