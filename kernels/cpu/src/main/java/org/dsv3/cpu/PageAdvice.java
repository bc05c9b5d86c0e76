package org.dsv3.cpu;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Collection;
import java.util.Locale;

/**
 * Asks Linux to back the memory-mapped weights with transparent huge pages ({@code madvise} with
 * {@code MADV_HUGEPAGE}, through the foreign-function API). A V2-Lite token reads ~2.4 GiB spread
 * over a 15.5 GiB map: in 4 KiB pages that is ~600,000 pages a token, each a TLB miss and the end
 * of a hardware prefetch stream. With the advice, pages the kernel reads in from then on come as
 * 2 MiB folios mapped by one page-table entry each (pages already cached in 4 KiB stay as they are);
 * {@code dsv3 bench} reports how much of the map ended up in huge pages. Off with
 * {@code -Ddsv3.hugepages=false}; a no-op where madvise is unavailable.
 */
final class PageAdvice {
    public static final String PROPERTY = "dsv3.hugepages";
    private static final int MADV_HUGEPAGE = 14;
    private static final long PAGE = 4096;
    private static final MethodHandle MADVISE = find();

    private PageAdvice() {
    }

    private static MethodHandle find() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return null;
        }
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("madvise").map(f -> linker.downcallHandle(f,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT)))
                    .orElse(null);
        } catch (RuntimeException e) { // no native access granted, or no such symbol
            return null;
        }
    }

    /** Advises huge pages for every native segment; returns the bytes advised (0 when off or unavailable). */
    static long hugePages(Collection<MemorySegment> segments) {
        if (MADVISE == null || !Boolean.parseBoolean(System.getProperty(PROPERTY, "true"))) {
            return 0;
        }
        long advised = 0;
        for (MemorySegment s : segments) {
            if (!s.isNative() || s.byteSize() == 0) {
                continue;
            }
            long start = s.address() & -PAGE;
            long end = (s.address() + s.byteSize() + PAGE - 1) & -PAGE;
            try {
                int rc = (int) MADVISE.invokeExact(MemorySegment.ofAddress(start), end - start, MADV_HUGEPAGE);
                if (rc == 0) {
                    advised += end - start;
                }
            } catch (Throwable e) {
                return advised;
            }
        }
        return advised;
    }
}
