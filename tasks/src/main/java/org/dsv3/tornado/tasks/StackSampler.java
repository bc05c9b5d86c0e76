package org.dsv3.tornado.tasks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A poor man's profiler for machines without JFR (the jlinked JDK sent to the GPU machine has none):
 * samples one thread's Java stack every {@code periodMicros} and counts, per method, the samples in
 * which it is on the stack (inclusive) and on top (self). Native methods show up as themselves, so
 * waiting for the device ({@code clFinish}, {@code cuStreamSynchronize}, …) is told apart from host work.
 */
final class StackSampler implements AutoCloseable {
    private final Thread target;
    private final Thread sampler;
    private final Map<String, int[]> counts = new HashMap<>();
    private volatile boolean running = true;
    private int samples;

    StackSampler(Thread target, long periodMicros) {
        this.target = target;
        this.sampler = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(periodMicros / 1000, (int) (periodMicros % 1000) * 1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "dsv3-stack-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    private void sample() {
        StackTraceElement[] st = target.getStackTrace();
        if (st.length == 0) {
            return;
        }
        synchronized (counts) {
            samples++;
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < st.length; i++) {
                String m = st[i].getClassName() + "." + st[i].getMethodName() + (st[i].isNativeMethod() ? " [native]" : "");
                int[] c = counts.computeIfAbsent(m, k -> new int[2]);
                if (i == 0) {
                    c[1]++;
                }
                if (seen.add(m)) {
                    c[0]++;
                }
            }
        }
    }

    /** The {@code n} methods with the most inclusive and the most self samples, as text. */
    String report(int n) {
        synchronized (counts) {
            List<Map.Entry<String, int[]>> all = new ArrayList<>(counts.entrySet());
            StringBuilder sb = new StringBuilder();
            sb.append(String.format("stack samples of the decode loop: %d%n  inclusive%%  self%%  method%n", samples));
            all.sort((a, b) -> Integer.compare(b.getValue()[0], a.getValue()[0]));
            for (int i = 0; i < Math.min(n, all.size()); i++) {
                int[] c = all.get(i).getValue();
                sb.append(String.format("  %9.1f %6.1f  %s%n", 100.0 * c[0] / samples, 100.0 * c[1] / samples, all.get(i).getKey()));
            }
            sb.append("  top of stack:\n");
            all.sort((a, b) -> Integer.compare(b.getValue()[1], a.getValue()[1]));
            for (int i = 0; i < Math.min(n, all.size()) && all.get(i).getValue()[1] > 0; i++) {
                sb.append(String.format("  %6.1f%%  %s%n", 100.0 * all.get(i).getValue()[1] / samples, all.get(i).getKey()));
            }
            return sb.toString();
        }
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
