package org.dsv3.cpu.kernels;

/**
 * Activations rounded to 8-bit blocks, once per matrix product, for the integer dot products
 * ({@link VectorDot#dotQ8}): each run of 32 values {@code x} of a row gets a scale
 * {@code d = max|x| / 127} and quants {@code q = round(x / d)} in [−127, 127] (halves away from zero,
 * as ggml rounds its Q8_0 activation blocks), so that {@code x ≈ d·q}. The quants are kept widened to
 * 16 bits, the lane width the integer kernels multiply in, and the scales in float32 (ggml rounds
 * them to half precision; keeping them exact only brings the result closer to the float path).
 *
 * <p>Each block also keeps the sum of the values its quants stand for, {@code d·Σq}, and the same
 * over each half of 16: the K-quant kernels subtract a sub-block's minimum (Q4_K) or offset (Q6_K's
 * −32) times that sum ({@link Q4_KKernel#dotQ8}, {@link Q6_KKernel#dotQ8}) instead of applying it
 * to every weight.
 *
 * <p>Holds {@code rows} rows of {@code n} values (n a multiple of 32); row {@code t} starts at value
 * {@code t·n}, block {@code t·n/32}.
 */
public final class Q8Blocks {
    public static final int BLOCK = 32;

    private final short[] q;
    /** Neighbouring quants packed as {@code q[2i]·2¹⁶ + q[2i+1]} (see {@link #pairs()}). */
    private final int[] pairs;
    private final float[] d;
    private final float[] sums;
    private final float[] halfSums;
    private int rows;
    private int n;

    private Q8Blocks(int rows, int n) {
        this.rows = rows;
        this.n = n;
        this.q = new short[rows * n];
        this.pairs = new int[rows * n / 2];
        this.d = new float[rows * n / BLOCK];
        this.sums = new float[rows * n / BLOCK];
        this.halfSums = new float[rows * n / (BLOCK / 2)];
    }

    /**
     * Quantizes {@code rows} rows of {@code n} values: row t is {@code x[off + t·stride …]}.
     */
    public static Q8Blocks of(float[] x, int off, int stride, int rows, int n) {
        return of(null, x, off, stride, rows, n);
    }

    /**
     * As {@link #of(float[], int, int, int, int)}, into {@code reuse}'s arrays when they hold
     * {@code rows·n} values (what it held before is overwritten, and {@code reuse} is returned),
     * otherwise into new ones; {@code reuse} may be null. Decode rounds once per product, a few
     * hundred times a token: reusing one buffer keeps that from growing the heap.
     */
    public static Q8Blocks of(Q8Blocks reuse, float[] x, int off, int stride, int rows, int n) {
        if (n % BLOCK != 0) {
            throw new IllegalArgumentException("8-bit activation blocks need a multiple of " + BLOCK + " values, got " + n);
        }
        Q8Blocks b;
        if (reuse != null && reuse.q.length >= rows * n) {
            b = reuse;
            b.rows = rows;
            b.n = n;
        } else {
            b = new Q8Blocks(rows, n);
        }
        for (int t = 0; t < rows; t++) {
            b.quantizeRow(x, off + t * stride, t * n);
        }
        return b;
    }

    /**
     * An empty buffer for one row of {@code n} values (a multiple of 32), to be filled block range by
     * block range with {@link #roundBlocks}.
     */
    public static Q8Blocks row(int n) {
        if (n % BLOCK != 0) {
            throw new IllegalArgumentException("8-bit activation blocks need a multiple of " + BLOCK + " values, got " + n);
        }
        return new Q8Blocks(1, n);
    }

    /**
     * Rounds blocks {@code [fromBlock, toBlock)} of row 0 from {@code x[xOff + 32·fromBlock …]}, as
     * {@link #of} would: blocks are independent, so threads may round disjoint ranges of one row.
     */
    public void roundBlocks(float[] x, int xOff, int fromBlock, int toBlock) {
        for (int blk = fromBlock; blk < toBlock; blk++) {
            quantizeBlock(x, xOff + blk * BLOCK, blk * BLOCK);
        }
    }

    private void quantizeRow(float[] x, int from, int to) {
        for (int blk = 0; blk < n / BLOCK; blk++) {
            quantizeBlock(x, from + blk * BLOCK, to + blk * BLOCK);
        }
    }

    /** Rounds the 32 values {@code x[xo …]} into the block whose first quant is {@code qo}. */
    private void quantizeBlock(float[] x, int xo, int qo) {
        float amax = 0f;
        for (int j = 0; j < BLOCK; j++) {
            amax = Math.max(amax, Math.abs(x[xo + j]));
        }
        float scale = amax / 127f;
        float inv = scale != 0f ? 1f / scale : 0f;
        d[qo / BLOCK] = scale;
        int sum0 = 0;
        int sum1 = 0;
        for (int j = 0; j < BLOCK; j++) {
            double v = x[xo + j] * inv;
            short qj = (short) Math.clamp((long) (v + Math.copySign(0.5, v)), -127, 127);
            q[qo + j] = qj;
            if (j < BLOCK / 2) {
                sum0 += qj;
            } else {
                sum1 += qj;
            }
        }
        for (int j = 0; j < BLOCK; j += 2) {
            pairs[(qo + j) / 2] = (q[qo + j] << 16) + q[qo + j + 1];
        }
        sums[qo / BLOCK] = scale * (sum0 + sum1);
        halfSums[2 * (qo / BLOCK)] = scale * sum0;
        halfSums[2 * (qo / BLOCK) + 1] = scale * sum1;
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

    /**
     * Quant pairs {@code p[i] = q[2i]·2¹⁶ + q[2i+1]}, row t from index t·length()/2. An int lane
     * holding two 16-bit weights {@code w[2i] + w[2i+1]·2¹⁶} times {@code p[i]} is, modulo 2³²,
     * {@code (w[2i]·q[2i] + w[2i+1]·q[2i+1])·2¹⁶ + w[2i]·q[2i+1]}: the pair's dot product in the upper
     * half, with one 32-bit multiply (see {@link Q4_KKernel#dotQ8}).
     */
    int[] pairs() {
        return pairs;
    }

    /** The block scales, row t from index t·length()/32. */
    float[] scales() {
        return d;
    }

    /** Per block {@code d·Σq}, row t from index t·length()/32. */
    float[] sums() {
        return sums;
    }

    /** Per half block of 16 values {@code d·Σq}, row t from index t·length()/16. */
    float[] halfSums() {
        return halfSums;
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

    /** {@code d·Σq} of the 16 values from {@code 16·half}. */
    public float halfSum(int half) {
        return halfSums[half];
    }

    /** {@code d·Σq} of block {@code block}. */
    public float sum(int block) {
        return sums[block];
    }
}
