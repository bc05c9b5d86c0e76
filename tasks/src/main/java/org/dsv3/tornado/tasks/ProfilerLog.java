package org.dsv3.tornado.tasks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the kernel times out of TornadoVM's profiler log ({@code TornadoProfilerResult.getProfileLog()}). In
 * TornadoVM 5.2 the log of a graph grows by one pretty-printed JSON object per profiled {@code execute()}, each
 * starting with a <code>{</code> in column 0; in it, one object per task, {@code "graph.task": {…}}, whose
 * {@code TASK_KERNEL_TIME} is that task's device time in nanoseconds (they add up to the object's
 * {@code TOTAL_KERNEL_TIME}). A task the profiler did not time has no {@code TASK_KERNEL_TIME}.
 */
final class ProfilerLog {
    private static final Pattern TASK = Pattern.compile("\"([A-Za-z0-9_]+\\.[A-Za-z0-9_]+)\": \\{([^}]*)\\}");
    private static final Pattern KERNEL_TIME = Pattern.compile("\"TASK_KERNEL_TIME\": \"(\\d+)\"");

    private ProfilerLog() {
    }

    /** Kernel time of each task ({@code graph.task} → ns) in the latest execution the log holds (its last object). */
    static Map<String, Long> latest(String log) {
        int start = log.lastIndexOf("\n{") + 1; // 0 when the log holds one execution
        Map<String, Long> times = new LinkedHashMap<>();
        forEachTask(log.substring(start), (task, ns) -> times.merge(task, ns, Long::sum));
        return times;
    }

    /** Adds the kernel times of every execution the log holds to {@code perTask}: task → {sum of ns, executions}. */
    static void addAll(String log, Map<String, long[]> perTask) {
        forEachTask(log, (task, ns) -> {
            long[] v = perTask.computeIfAbsent(task, x -> new long[2]);
            v[0] += ns;
            v[1]++;
        });
    }

    private interface TaskTime {
        void accept(String task, long ns);
    }

    private static void forEachTask(String log, TaskTime out) {
        Matcher t = TASK.matcher(log);
        while (t.find()) {
            Matcher k = KERNEL_TIME.matcher(t.group(2));
            if (k.find()) {
                out.accept(t.group(1), Long.parseLong(k.group(1)));
            }
        }
    }
}
