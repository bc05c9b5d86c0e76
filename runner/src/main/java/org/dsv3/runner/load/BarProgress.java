package org.dsv3.runner.load;

import java.io.PrintWriter;
import java.util.Locale;
import org.dsv3.runner.Units;

/**
 * A progress bar redrawn in place on a terminal (carriage return, at most ten times a second):
 * {@code reading  [=========>          ]  48%  1.20 GiB / 2.50 GiB  3.1 s}; a finished step leaves
 * its summary line.
 */
public final class BarProgress implements Progress {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;
    private final PrintWriter out;

    public BarProgress(PrintWriter out) {
        this.out = out;
    }

    @Override
    public Step start(String label, long total) {
        long t0 = System.nanoTime();
        return new Step() {
            private long lastDraw;

            {
                draw(0);
            }

            @Override
            public void update(long done) {
                long now = System.nanoTime();
                if (now - lastDraw >= REDRAW_NANOS) {
                    draw(done);
                }
            }

            private void draw(long done) {
                lastDraw = System.nanoTime();
                double secs = (lastDraw - t0) / 1e9;
                String line;
                if (total > 0) {
                    double f = Math.min(1, Math.max(0, done / (double) total));
                    int fill = (int) Math.round(f * WIDTH);
                    String bar = "=".repeat(Math.max(0, fill - 1)) + (fill > 0 ? (fill == WIDTH ? "=" : ">") : "")
                            + " ".repeat(WIDTH - fill);
                    line = String.format(Locale.ROOT, "%-9s [%s] %3d%%  %s / %s  %.1f s", label, bar,
                            Math.round(f * 100), Units.bytes(done), Units.bytes(total), secs);
                } else {
                    line = String.format(Locale.ROOT, "%-9s ...  %.1f s", label, secs);
                }
                out.print("\r" + line + "\u001b[K");
                out.flush();
            }

            @Override
            public void abandon() {
                out.print("\r\u001b[K");
                out.flush();
            }

            @Override
            public void done(String summary) {
                out.printf(Locale.ROOT, "\r%s in %.2f s\u001b[K%n", summary, (System.nanoTime() - t0) / 1e9);
                out.flush();
            }
        };
    }
}
