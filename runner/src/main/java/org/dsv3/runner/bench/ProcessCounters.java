package org.dsv3.runner.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A snapshot of the counters that tell why a memory-mapped model runs slower than the bandwidth
 * allows: page faults (minor: a page already in the page cache mapped in; major: read from disk)
 * from {@code /proc/self/stat}, and the process's CPU time, which on a shared machine says how much
 * of the wall time the engine actually ran. Fields are -1 where they cannot be read (not Linux).
 */
public record ProcessCounters(long minorFaults, long majorFaults, long cpuNanos) {

    public static ProcessCounters now() {
        long minor = -1;
        long major = -1;
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // fields after the command name in parentheses: state(3) ppid pgrp session tty tpgid flags minflt(10) cminflt majflt(12)
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            minor = Long.parseLong(f[7]);
            major = Long.parseLong(f[9]);
        } catch (IOException | RuntimeException e) {
            // not Linux, or an unexpected format: leave -1
        }
        long cpu = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
        return new ProcessCounters(minor, major, cpu);
    }

    /**
     * Bytes of file-backed memory this process maps with 2 MiB page-table entries
     * ({@code FilePmdMapped} in {@code /proc/self/smaps_rollup}); -1 where unknown.
     */
    public static long fileHugePageBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
                if (line.startsWith("FilePmdMapped:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** Per-token averages of the counters between {@code start} and {@code this}; NaN where unknown. */
    public PerToken since(ProcessCounters start, long tokens) {
        return new PerToken(rate(minorFaults, start.minorFaults, tokens), rate(majorFaults, start.majorFaults, tokens),
                cpuNanos < 0 || start.cpuNanos < 0 ? Double.NaN : (cpuNanos - start.cpuNanos) / 1e6 / tokens);
    }

    private static double rate(long end, long begin, long tokens) {
        return end < 0 || begin < 0 ? Double.NaN : (end - begin) / (double) tokens;
    }

    /** Page faults and CPU milliseconds (all threads) per token. */
    public record PerToken(double minorFaults, double majorFaults, double cpuMs) {
        public static final PerToken UNKNOWN = new PerToken(Double.NaN, Double.NaN, Double.NaN);
    }
}
