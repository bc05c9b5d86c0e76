package org.dsv3.cpu.kernels;

/**
 * Activations rounded to 8-bit blocks, once per matrix product, for the integer dot products
 * ({@link VectorDot#dotQ8}): each run of 32 values {@code x} of a row gets a scale
 * {@code d = max|x| / 127} and quants {@code q = round(x / d)} in [−127, 127] (halves away from zero,
 * as ggml rounds its Q8_0 activation blocks), so that {@code x ≈ d·q}. The quants are kept widened to
 * 16 bits, the lane width the integer kernels multiply in, and the scales in float32 (ggml rounds
 * them to half precision; keeping them exact only brings the result closer to the float path).
 *
 * <p>Holds {@code rows} rows of {@code n} values (n a multiple of 32); row {@code t} starts at value
 * {@code t·n}, block {@code t·n/32}.
 */
public final class Q8Blocks {
    public static final int BLOCK = 32;

    private final short[] q;
    private final float[] d;
    private final int rows;
    private final int n;

    private Q8Blocks(int rows, int n) {
        if (n % BLOCK != 0) {
            throw new IllegalArgumentException("8-bit activation blocks need a multiple of " + BLOCK + " values, got " + n);
        }
        this.rows = rows;
        this.n = n;
        this.q = new short[rows * n];
        this.d = new float[rows * n / BLOCK];
    }

    /**
     * Quantizes {@code rows} rows of {@code n} values: row t is {@code x[off + t·stride …]}.
     */
    public static Q8Blocks of(float[] x, int off, int stride, int rows, int n) {
        Q8Blocks b = new Q8Blocks(rows, n);
        for (int t = 0; t < rows; t++) {
            b.quantizeRow(x, off + t * stride, t * n);
        }
        return b;
    }

    private void quantizeRow(float[] x, int from, int to) {
        for (int blk = 0; blk < n / BLOCK; blk++) {
            int xo = from + blk * BLOCK;
            float amax = 0f;
            for (int j = 0; j < BLOCK; j++) {
                amax = Math.max(amax, Math.abs(x[xo + j]));
            }
            float scale = amax / 127f;
            float inv = scale != 0f ? 1f / scale : 0f;
            int qo = to + blk * BLOCK;
            d[qo / BLOCK] = scale;
            for (int j = 0; j < BLOCK; j++) {
                double v = x[xo + j] * inv;
                q[qo + j] = (short) Math.clamp((long) (v + Math.copySign(0.5, v)), -127, 127);
            }
        }
    }

    public int rows() {
        return rows;
    }

    /** Values per row. */
    public int length() {
        return n;
    }

    /** The 16-bit quants, row t from index t·length(). */
    short[] quants() {
        return q;
    }

    /** The block scales, row t from index t·length()/32. */
    float[] scales() {
        return d;
    }

    /** The value {@code d·q} stands for at index {@code i} (row-major), for tests and scalar code. */
    public float value(int i) {
        return d[i / BLOCK] * q[i];
    }

    public short quant(int i) {
        return q[i];
    }

    public float scale(int block) {
        return d[block];
    }
}
