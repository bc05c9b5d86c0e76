package org.dsv3.runner.load;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.util.Collection;
import org.dsv3.model.gguf.GgufTensor;

/**
 * Reads one byte of every page of the memory-mapped weights, so the operating system brings them in
 * now, with progress shown, rather than during the first tokens.
 */
public final class PageToucher {
    private static final long PAGE = 4096;
    private static final long REPORT_EVERY = 64L << 20;

    private PageToucher() {
    }

    /** Whether {@code bytes} fit comfortably (three quarters) in the machine's physical memory. */
    static boolean fitsInMemory(long bytes) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return bytes <= os.getTotalMemorySize() / 4 * 3;
        }
        return false;
    }

    static long totalBytes(Collection<GgufTensor> tensors) {
        long n = 0;
        for (GgufTensor t : tensors) {
            n += t.data().byteSize();
        }
        return n;
    }

    /**
     * Touches every page without reporting progress: benchmarks use it to time the steady state
     * (every weight page mapped), as llama-bench does after its warm-up run.
     */
    public static long touch(Collection<GgufTensor> tensors) {
        return touch(tensors, new Progress.Step() {
            @Override
            public void update(long done) {
            }

            @Override
            public void done(String message) {
            }
        });
    }

    /** Touches every page; returns a value derived from the bytes read (so the reads are not optimised away). */
    static long touch(Collection<GgufTensor> tensors, Progress.Step step) {
        long sum = 0;
        long done = 0;
        long nextReport = REPORT_EVERY;
        for (GgufTensor t : tensors) {
            MemorySegment s = t.data();
            long size = s.byteSize();
            for (long off = 0; off < size; off += PAGE) {
                sum += s.get(ValueLayout.JAVA_BYTE, off);
            }
            done += size;
            if (done >= nextReport) {
                step.update(done);
                nextReport = done + REPORT_EVERY;
            }
        }
        step.update(done);
        return sum;
    }
}
