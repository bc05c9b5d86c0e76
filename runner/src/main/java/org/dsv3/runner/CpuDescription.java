package org.dsv3.runner;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** What the CPU backend has to work with: cores, memory, the Vector API's preferred SIMD width. */
record CpuDescription(String model, int cores, long memoryBytes, int simdBits, int floatLanes, String arch) {

    static CpuDescription detect() {
        VectorSpecies<Float> s = FloatVector.SPECIES_PREFERRED;
        long memory = ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getTotalMemorySize() : 0;
        return new CpuDescription(cpuModel().orElse(System.getProperty("os.arch")),
                Runtime.getRuntime().availableProcessors(), memory, s.vectorBitSize(), s.length(),
                System.getProperty("os.arch"));
    }

    /** The processor's name from /proc/cpuinfo (Linux), if there is one. */
    private static Optional<String> cpuModel() {
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(info)) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).strip())
                    .findFirst();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
