package org.dsv3.runner.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Measures the machine's read bandwidth the way decoding uses memory: {@code threads} threads each
 * stream their own share of a buffer far larger than the caches, summing it with vector loads. The
 * best of a few passes is reported, in bytes per second. {@code dsv3 bench} divides the weight bytes
 * a decoded token reads by its time and compares with this number.
 */
public final class MemoryBandwidth {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private MemoryBandwidth() {
    }

    public static double measure(int threads, long bufferBytes, int passes) throws Exception {
        long perThread = bufferBytes / threads / (F.vectorByteSize() * 4L) * (F.vectorByteSize() * 4L);
        try (Arena arena = Arena.ofShared(); ExecutorService pool = Executors.newFixedThreadPool(threads)) {
            MemorySegment buf = arena.allocate(perThread * threads, 64);
            // touch every page so the pass measures reads, not page faults
            for (long i = 0; i < buf.byteSize(); i += 4096) {
                buf.set(ValueLayout.JAVA_BYTE, i, (byte) 1);
            }
            // Let the JIT compile the summing loop to vector code first: measured cold, the
            // interpreter's boxed vectors, not memory, would set the pace.
            MemorySegment small = buf.asSlice(0, Math.min(buf.byteSize(), 1 << 16));
            float warm = 0;
            for (int i = 0; i < 20_000; i++) {
                warm += sum(small);
            }
            if (warm == 42.4242f) {
                System.out.print("");
            }
            double best = 0;
            for (int p = 0; p < passes; p++) {
                List<Future<Float>> parts = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int t = 0; t < threads; t++) {
                    MemorySegment slice = buf.asSlice(t * perThread, perThread);
                    parts.add(pool.submit(() -> sum(slice)));
                }
                float sink = 0;
                for (Future<Float> f : parts) {
                    sink += f.get();
                }
                long ns = System.nanoTime() - t0;
                if (sink == 42.4242f) {
                    System.out.print(""); // keeps the sums alive
                }
                best = Math.max(best, perThread * threads / (ns / 1e9));
            }
            return best;
        }
    }

    private static float sum(MemorySegment s) {
        FloatVector a = FloatVector.zero(F);
        FloatVector b = FloatVector.zero(F);
        FloatVector c = FloatVector.zero(F);
        FloatVector d = FloatVector.zero(F);
        long step = F.vectorByteSize();
        for (long off = 0; off < s.byteSize(); off += 4 * step) {
            a = a.add(FloatVector.fromMemorySegment(F, s, off, ByteOrder.LITTLE_ENDIAN));
            b = b.add(FloatVector.fromMemorySegment(F, s, off + step, ByteOrder.LITTLE_ENDIAN));
            c = c.add(FloatVector.fromMemorySegment(F, s, off + 2 * step, ByteOrder.LITTLE_ENDIAN));
            d = d.add(FloatVector.fromMemorySegment(F, s, off + 3 * step, ByteOrder.LITTLE_ENDIAN));
        }
        return a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
    }
}
