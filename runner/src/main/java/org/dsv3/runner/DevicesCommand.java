package org.dsv3.runner;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.Backends;
import org.dsv3.model.backend.DeviceInfo;
import org.dsv3.runner.load.BackendLookup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code dsv3 devices}: the CPU and every other backend on the class path, with their devices. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "Lists the compute devices: the CPU (cores, memory, SIMD width) and every other backend found.")
public final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CpuDescription cpu = CpuDescription.detect();
        out.printf("cpu          %s%n", cpu.model());
        out.printf("             %d cores, %s memory, SIMD %d-bit (%d float lanes, Vector API), %s%n",
                cpu.cores(), cpu.memoryBytes() > 0 ? Units.bytes(cpu.memoryBytes()) : "unknown", cpu.simdBits(),
                cpu.floatLanes(), cpu.arch());
        List<BackendProvider> providers = Backends.all();
        if (providers.stream().noneMatch(p -> p.name().equalsIgnoreCase("tornado"))) {
            out.printf("%-12s not installed: %s%n", "tornado", BackendLookup.tornadoMissing());
        }
        for (BackendProvider p : providers) {
            if (p.name().equalsIgnoreCase("cpu")) {
                continue;
            }
            if (!p.isAvailable()) {
                out.printf("%-12s not available: %s%n", p.name(), p.unavailableReason());
                continue;
            }
            List<DeviceInfo> devices;
            try {
                devices = p.describeDevices();
            } catch (RuntimeException | LinkageError e) {
                out.printf("%-12s could not list its devices: %s%n", p.name(), e.getMessage());
                continue;
            }
            if (devices.isEmpty()) {
                out.printf("%-12s available (use --device %s)%n", p.name(), p.name());
            }
            for (DeviceInfo d : devices) {
                out.printf("%-12s %s%s%n", d.spec(), d.name(), d.details().isEmpty() ? "" : " — " + d.details());
            }
        }
        out.flush();
        return 0;
    }
}
