package org.dsv3.tornado.kernels;

/**
 * The shape of one work-group's output tile in {@link BatchMatMul}: {@code rows} weight rows ×
 * {@code tokens} tokens. Every thread accumulates {@link BatchMatMul#THREAD_ROWS} ×
 * {@link BatchMatMul#THREAD_TOKENS} outputs in registers, so the work-group has
 * {@code rows·tokens / (THREAD_ROWS·THREAD_TOKENS)} threads. The shape reaches the kernel inside its spec
 * word ({@link BatchMatMul#spec}), so one compiled kernel serves every shape.
 *
 * @param rows   a power of two, {@code THREAD_ROWS … MAX_TILE_ROWS}
 * @param tokens a power of two, {@code THREAD_TOKENS … MAX_TILE_TOKENS}
 */
public record BatchTile(int rows, int tokens) {
    /** 128 × 64: 256 threads of 8 × 4 outputs (12 local-memory reads feed 32 FMAs a thread and column). */
    public static final BatchTile DEFAULT = new BatchTile(128, 64);

    public BatchTile {
        if (!fits(rows, BatchMatMul.THREAD_ROWS, BatchMatMul.MAX_TILE_ROWS)
                || !fits(tokens, BatchMatMul.THREAD_TOKENS, BatchMatMul.MAX_TILE_TOKENS) || threads(rows, tokens) > 1024) {
            throw new IllegalArgumentException("batch tile " + rows + "x" + tokens + ": rows must be a power of two "
                    + BatchMatMul.THREAD_ROWS + "…" + BatchMatMul.MAX_TILE_ROWS + ", tokens a power of two "
                    + BatchMatMul.THREAD_TOKENS + "…" + BatchMatMul.MAX_TILE_TOKENS + ", at most 1024 threads");
        }
    }

    /** {@code ROWSxTOKENS} (e.g. {@code 128x64}); null or blank: {@link #DEFAULT}. */
    public static BatchTile parse(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT;
        }
        String[] p = text.trim().toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (p.length == 2) {
                return new BatchTile(Integer.parseInt(p[0]), Integer.parseInt(p[1]));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("batch tile '" + text + "': expected ROWSxTOKENS, e.g. 128x64");
    }

    private static boolean fits(int n, int min, int max) {
        return n >= min && n <= max && Integer.bitCount(n) == 1;
    }

    private static int threads(int rows, int tokens) {
        return rows / BatchMatMul.THREAD_ROWS * (tokens / BatchMatMul.THREAD_TOKENS);
    }

    /** Threads of a work-group. */
    public int threads() {
        return threads(rows, tokens);
    }

    /** Work-groups along {@code n} rows. */
    public int rowTiles(int n) {
        return (n + rows - 1) / rows;
    }

    /** Work-groups along a batch of at most {@code n} tokens. */
    public int tokenTiles(int n) {
        return (n + tokens - 1) / tokens;
    }

    /** Most tiles the expert grouping can make for {@code assignments} token–expert pairs over {@code experts}. */
    public int maxExpertTiles(int assignments, int experts) {
        return tokenTiles(assignments) + experts;
    }

    @Override
    public String toString() {
        return rows + "x" + tokens;
    }
}
