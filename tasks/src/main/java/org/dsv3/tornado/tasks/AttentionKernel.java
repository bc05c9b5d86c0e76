package org.dsv3.tornado.tasks;

import java.util.Locale;
import org.dsv3.tornado.kernels.LatentAttention;

/**
 * Which decode attention kernel the plan launches ({@code -Ddsv3.tornado.attention=perhead|shared}), and
 * how many work-groups a slice of the positions then takes. The default is {@link #PER_HEAD}: on the H200
 * (2026-12-02, V2-Lite-size Q8_0, PTX + CUDA graphs) the shared-row kernel was slower, 132.6 vs 148.9 tok/s
 * at 4096 positions of context and 196.6 vs 207.3 at 16: reading each row once for 8 heads saves traffic the
 * 50 MB L2 already absorbs, and costs a work-group eight heads' online softmax in series.
 */
enum AttentionKernel {
    /** {@link LatentAttention#attendShared}: a work-group per group of 8 heads and slice, each cache row read once per group. */
    SHARED("shared", 64),
    /** {@link LatentAttention#attend}: a work-group per head and slice, each head reading every cache row. */
    PER_HEAD("perhead", 32);

    static final String PROPERTY = "dsv3.tornado.attention";

    private final String label;
    /** Default most slices: the shared kernel has 8 times fewer work-groups a slice, so it takes more slices. */
    final int defaultSplits;

    AttentionKernel(String label, int defaultSplits) {
        this.label = label;
        this.defaultSplits = defaultSplits;
    }

    /** Work-groups of one slice for a model of {@code heads} heads. */
    int groupsPerSlice(int heads) {
        return this == SHARED ? LatentAttention.headGroups(heads) : heads;
    }

    String label() {
        return label;
    }

    /** {@code shared} or {@code perhead} (case-insensitive); null or blank: {@link #PER_HEAD}. */
    static AttentionKernel parse(String value) {
        if (value == null || value.isBlank()) {
            return PER_HEAD;
        }
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (AttentionKernel k : values()) {
            if (k.label.equals(v)) {
                return k;
            }
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + ": expected shared or perhead");
    }
}
