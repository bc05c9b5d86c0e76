package org.dsv3.model.gguf;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import org.dsv3.model.quant.GgmlType;

/**
 * One tensor of a GGUF file: its name, element type, dimensions in ggml order ({@code dims[0]} is
 * the contiguous row length, see docs/architecture.md §0.2) and its bytes, a read-only slice of the
 * memory-mapped file. Nothing is copied onto the heap.
 */
public record GgufTensor(String name, GgmlType type, long[] dims, MemorySegment data, Path file) {

    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Elements per row ({@code ne[0]}). */
    public long rowLength() {
        return dims[0];
    }

    /** Number of rows: the product of every dimension but the first. */
    public long rowCount() {
        return elementCount() / dims[0];
    }

    /** Bytes per row. */
    public long rowBytes() {
        return type.bytesFor(dims[0]);
    }

    public long byteSize() {
        return data.byteSize();
    }

    public String shape() {
        return Arrays.toString(dims);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + shape();
    }
}
