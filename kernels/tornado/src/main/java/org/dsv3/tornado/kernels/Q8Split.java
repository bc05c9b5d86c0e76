package org.dsv3.tornado.kernels;

/**
 * Where the quant words of a {@link WeightType#Q8_0_SPLIT} row lie. A row of n blocks holds its 8n quant words
 * first, then its n scales; the quant words of each group of G = 2^{@link #groupLog} neighbouring blocks are
 * interleaved word-major: word j (quants 4j … 4j+3) of block b is word
 * {@code (b / G)·8G + j·G + b mod G} of the row. The 8-bit matvecs give a lane whole blocks, neighbouring lanes
 * neighbouring blocks; a warp's load of word j of 32 blocks then touches 32/G memory sectors (4 with G = 8),
 * where the plain block order put each lane's word in a sector of its own (32 a load: on the H200 the experts'
 * launch was bound by those L1 wavefronts, not by DRAM).
 *
 * <p>G is 8 when n is a multiple of 8, else the largest power of two dividing n (V2-Lite's 1408-value expert
 * rows, 44 blocks: G = 4), so that groups tile the row. The same bits as the file's blocks, moved at upload
 * ({@code DeviceWeights.q8_0SplitRows}); every reader of the layout goes through {@link #word}.
 */
public final class Q8Split {
    private Q8Split() {
    }

    /** log2 of the blocks whose words interleave in a row of {@code blocks} blocks: 3, or fewer if 8 does not divide it. */
    public static int groupLog(int blocks) {
        return (blocks & 7) == 0 ? 3 : (blocks & 3) == 0 ? 2 : (blocks & 1) == 0 ? 1 : 0;
    }

    /** Word offset, within the row's quants, of word {@code j} (0…7) of block {@code b}, groups of 2^{@code lg}. */
    public static int word(int lg, int b, int j) {
        return blockBase(lg, b) + (j << lg);
    }

    /** Word offset of word 0 of block {@code b}: its word j is {@code j·2^lg} after it. */
    public static int blockBase(int lg, int b) {
        return ((b >> lg) << (lg + 3)) + (b & ((1 << lg) - 1));
    }
}
