package org.dsv3.runner.load;

import java.io.PrintWriter;
import java.util.Locale;

/** One quiet line per finished step, for pipes and logs: {@code dsv3: mapped x.gguf (3.5 GiB) in 0.02 s}. */
public final class LineProgress implements Progress {
    private final PrintWriter out;

    public LineProgress(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Step start(String label, long total) {
        long t0 = System.nanoTime();
        return new Step() {
            @Override
            public void update(long done) {
            }

            @Override
            public void done(String summary) {
                out.printf(Locale.ROOT, "dsv3: %s in %.2f s%n", summary, (System.nanoTime() - t0) / 1e9);
                out.flush();
            }
        };
    }
}
