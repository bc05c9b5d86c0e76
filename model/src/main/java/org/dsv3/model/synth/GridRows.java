package org.dsv3.model.synth;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.random.RandomGenerator;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.dsv3.model.quant.GridFormat;
import org.dsv3.model.quant.RandomBlocks;

/**
 * Random rows of a lattice i-quant for synthetic models. There is no i-quant quantizer here (and
 * random weights do not need one): every block gets random grid indices, signs and sub-block scales,
 * then its super-scale d is set so that the block's values have the RMS of uniform weights in
 * ±{@code amplitude}, i.e. the variance 1/fan-in the other types get from their quantizers.
 */
final class GridRows {
    private GridRows() {
    }

    static boolean handles(GgmlType t) {
        return t.isSupported() && BlockFormat.of(t) instanceof GridFormat;
    }

    /** One row of {@code n} values (whole blocks) of type {@code t}. */
    static MemorySegment random(GgmlType t, int n, float amplitude, RandomGenerator rnd) {
        MemorySegment row = Arena.ofAuto().allocate(t.bytesFor(n));
        RandomBlocks.fill(t, rnd, row, 0, n);
        BlockFormat f = BlockFormat.of(t);
        int values = t.blockSize();
        float[] block = new float[values];
        double target = amplitude / Math.sqrt(3.0);
        for (long blk = 0; blk < row.byteSize(); blk += t.typeSize()) {
            RandomBlocks.setGridScale(t, row, blk, 1f);
            f.dequantize(row, blk, block, 0, values);
            double sq = 0;
            for (float v : block) {
                sq += (double) v * v;
            }
            double rms = Math.sqrt(sq / values);
            RandomBlocks.setGridScale(t, row, blk, rms > 0 ? (float) (target / rms) : 0f);
        }
        return row;
    }
}
