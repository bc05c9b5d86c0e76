package org.dsv3.model.config;

import java.util.Arrays;

/**
 * One tensor a configuration calls for: its kind, its block ({@code -1} for a model-wide tensor) and
 * its shape in ggml order ({@code dims[0]} is the row length, docs/architecture.md §0.2).
 *
 * @param derived whether the engine builds this tensor at load from another one instead of reading it
 *                from the file (the absorbed {@code k_b}/{@code v_b} of a legacy {@code kv_b} file)
 */
public record TensorSpec(TensorKind kind, int block, long[] dims, boolean derived) {

    public TensorSpec {
        if (kind.perBlock() != block >= 0) {
            throw new IllegalArgumentException(kind + (kind.perBlock() ? " needs a block" : " has no block") + ", got " + block);
        }
        dims = dims.clone();
    }

    /** The tensor's name in the file. */
    public String name() {
        return block >= 0 ? kind.tensorName(block) : kind.tensorName();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Values per row ({@code dims[0]}). */
    public long rowLength() {
        return dims[0];
    }

    /** Rows: the product of every dimension but the first (stacked experts and heads are rows too). */
    public long rows() {
        long n = 1;
        for (int i = 1; i < dims.length; i++) {
            n *= dims[i];
        }
        return n;
    }

    /** Whether {@code actual} (ggml order) is this tensor's shape. */
    public boolean hasShape(long[] actual) {
        return Arrays.equals(dims, actual);
    }

    public String shape() {
        return Arrays.toString(dims);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.kind == kind && t.block == block && t.derived == derived
                && Arrays.equals(t.dims, dims);
    }

    @Override
    public int hashCode() {
        return (kind.hashCode() * 31 + block) * 31 + Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return name() + " " + shape() + (derived ? " (derived)" : "");
    }
}
