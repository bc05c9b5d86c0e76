package org.dsv3.model.quant;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The lattice grids of the i-quants: each grid entry is a point of 8 (or 4) small integers, and a
 * block stores grid indices instead of the values themselves. The numbers are ggml's
 * ({@code ggml-common.h}), kept in the resource {@code iquant-grids.txt} as one level digit per value.
 *
 * <p>Entries are packed into one {@code long} (8 values) or {@code int} (4 values) each, value j in
 * byte j as a signed byte, so that a decoder moves eight values with one load; sign bits are applied
 * to a packed entry with {@link #withSigns}.
 */
public final class IQuantGrids {
    /** IQ2_XXS: 256 points of 8 values in {8, 25, 43}. */
    public static final long[] IQ2XXS;
    /** IQ2_XS: 512 points of 8 values in {8, 25, 43}. */
    public static final long[] IQ2XS;
    /** IQ2_S: 1024 points of 8 values in {8, 25, 43}. */
    public static final long[] IQ2S;
    /** IQ3_XXS: 256 points of 4 values in {4, 12, …, 52, 62}. */
    public static final int[] IQ3XXS;
    /** IQ3_S: 512 points of 4 values in {1, 3, …, 15}. */
    public static final int[] IQ3S;
    /** IQ1_S / IQ1_M: 2048 points of 8 values in {−1, 0, 1}. */
    public static final long[] IQ1S;

    /** Byte mask with 0xFF in byte j where bit j of the index is set (index 0..255). */
    private static final long[] SIGN_MASK = new long[256];
    private static final long LOW_BITS = 0x0101010101010101L;

    static {
        Map<String, long[]> grids = read("iquant-grids.txt");
        IQ2XXS = grids.get("iq2xxs");
        IQ2XS = grids.get("iq2xs");
        IQ2S = grids.get("iq2s");
        IQ3XXS = toInts(grids.get("iq3xxs"));
        IQ3S = toInts(grids.get("iq3s"));
        IQ1S = grids.get("iq1s");
        check(IQ2XXS, 256, "iq2xxs");
        check(IQ2XS, 512, "iq2xs");
        check(IQ2S, 1024, "iq2s");
        check(IQ1S, 2048, "iq1s");
        if (IQ3XXS.length != 256 || IQ3S.length != 512) {
            throw new IllegalStateException("iquant-grids.txt: iq3 grids of wrong size");
        }
        for (int s = 0; s < 256; s++) {
            long m = 0;
            for (int j = 0; j < 8; j++) {
                if ((s >> j & 1) != 0) {
                    m |= 0xFFL << (8 * j);
                }
            }
            SIGN_MASK[s] = m;
        }
    }

    private IQuantGrids() {
    }

    /**
     * The 8 sign bits stored as 7: IQ2_XXS, IQ2_XS and IQ3_XXS keep an even number of negative
     * values per group of 8, so the eighth sign bit is the parity of the other seven (ggml's
     * {@code ksigns_iq2xs} table).
     */
    public static int evenSigns(int seven) {
        return seven | (Integer.bitCount(seven) & 1) << 7;
    }

    /** The 8 packed signed bytes of {@code packed}, byte j negated where bit j of {@code signs} is set. */
    public static long withSigns(long packed, int signs) {
        long m = SIGN_MASK[signs & 0xFF];
        // per byte: v ^ 0xFF + 1 = −v; the values are below 128 in magnitude, so no byte carries into the next
        return (packed ^ m) + (m & LOW_BITS);
    }

    /** Two 4-value entries side by side: {@code low} in bytes 0..3, {@code high} in bytes 4..7. */
    public static long pair(int low, int high) {
        return (low & 0xFFFFFFFFL) | (long) high << 32;
    }

    /**
     * Bytes of the grid that type {@code t} reads, packed one byte per value (what a device keeps
     * beside the blocks); 0 for types without a grid.
     */
    public static int packedBytes(GgmlType t) {
        return switch (t) {
            case IQ1_S, IQ1_M -> 8 * IQ1S.length;
            case IQ2_XXS -> 8 * IQ2XXS.length;
            case IQ2_XS -> 8 * IQ2XS.length;
            case IQ2_S -> 8 * IQ2S.length;
            case IQ3_XXS -> 4 * IQ3XXS.length;
            case IQ3_S -> 4 * IQ3S.length;
            default -> 0;
        };
    }

    /** Value j (0..7) of a packed entry. */
    public static int value(long packed, int j) {
        return (byte) (packed >> (8 * j));
    }

    private static void check(long[] g, int n, String name) {
        if (g == null || g.length != n) {
            throw new IllegalStateException("iquant-grids.txt: grid " + name + " missing or not " + n + " entries");
        }
    }

    private static int[] toInts(long[] g) {
        int[] out = new int[g.length];
        for (int i = 0; i < g.length; i++) {
            out[i] = (int) g[i];
        }
        return out;
    }

    /** Parses the resource: 'grid name entries width levels…' headers, then entries of level digits. */
    private static Map<String, long[]> read(String resource) {
        Map<String, long[]> out = new HashMap<>();
        try (InputStream in = IQuantGrids.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " missing from the class path");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            long[] grid = null;
            int[] levels = null;
            int width = 0;
            int filled = 0;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                if (f[0].equals("grid")) {
                    grid = new long[Integer.parseInt(f[2])];
                    width = Integer.parseInt(f[3]);
                    levels = new int[f.length - 4];
                    for (int i = 0; i < levels.length; i++) {
                        levels[i] = Integer.parseInt(f[4 + i]);
                    }
                    filled = 0;
                    out.put(f[1], grid);
                    continue;
                }
                for (String entry : f) {
                    if (grid == null || entry.length() != width || filled >= grid.length) {
                        throw new IllegalStateException(resource + ": malformed entry '" + entry + "'");
                    }
                    long packed = 0;
                    for (int j = 0; j < width; j++) {
                        packed |= (levels[entry.charAt(j) - '0'] & 0xFFL) << (8 * j);
                    }
                    grid[filled++] = packed;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
