package org.dsv3.runner.bench;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One line of {@code dsv3 bench}'s output: which model, machine and device a {@link BenchResult}
 * belongs to. {@link #fields()} names everything as llama-bench's JSON does, then adds this
 * engine's own fields, so that llama-bench scripts read the rows unchanged.
 *
 * @param backend  the provider's name: {@code cpu}, {@code tornado}
 * @param driver   what runs the kernels: the JVM and SIMD width on the CPU, the platform and driver on a GPU
 * @param gpuInfo  the GPU's name ("" on the CPU)
 * @param testTime when the test started
 */
public record BenchRow(ModelInfo model, MachineInfo machine, String backend, String driver, String gpuInfo, Instant testTime,
                       BenchResult result) {

    /**
     * The model file.
     *
     * @param filename     the path as given on the command line
     * @param type         llama.cpp's description: architecture, size class, file type ({@code deepseek2 16B Q8_0})
     * @param quantType    the file type alone ({@code Q8_0})
     */
    public record ModelInfo(String filename, String type, String quantType, long sizeBytes, long parameters,
                            long activeParameters) {
    }

    /** The machine the rows come from (what lets result files of several machines be merged). */
    public record MachineInfo(String cpuModel, int cores, long memoryBytes, String os, String arch) {
    }

    /** The field names of {@link #fields()}, in order. */
    public static final List<String> FIELDS = List.of(
            // llama-bench's
            "cpu_info", "gpu_info", "backends", "model_filename", "model_type", "model_size", "model_n_params",
            "n_batch", "n_ubatch", "n_threads", "type_k", "type_v", "n_gpu_layers", "use_mmap",
            "n_prompt", "n_gen", "n_depth", "test_time", "avg_ns", "stddev_ns", "avg_ts", "stddev_ts",
            "samples_ns", "samples_ts",
            // this engine's
            "test", "quant_type", "backend", "device", "driver", "machine_cpu", "machine_cores", "machine_memory_bytes",
            "machine_os", "machine_arch", "model_n_active_params", "repetitions", "median_ts", "time_to_first_token_ms",
            "weight_gb_per_s", "bandwidth_fraction", "gflops", "resident_bytes", "minor_faults_per_token",
            "major_faults_per_token", "cpu_ms_per_token", "profiled_tokens", "kernel_ms_per_token", "host_ms_per_token",
            "kernel_weight_gb_per_s");

    /** Every field, named as in {@link #FIELDS}; a figure that does not apply (NaN) is {@code null}. */
    public Map<String, Object> fields() {
        BenchResult r = result;
        BenchTest t = r.test();
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("cpu_info", machine.cpuModel());
        o.put("gpu_info", gpuInfo);
        o.put("backends", backend.toUpperCase(Locale.ROOT));
        o.put("model_filename", model.filename());
        o.put("model_type", model.type());
        o.put("model_size", model.sizeBytes());
        o.put("model_n_params", model.parameters());
        o.put("n_batch", r.batch());
        o.put("n_ubatch", r.batch());
        o.put("n_threads", r.threads());
        String cache = ModelBenchmark.CACHE_TYPE.name().toLowerCase(Locale.ROOT);
        o.put("type_k", cache);
        o.put("type_v", cache);
        o.put("n_gpu_layers", backend.equals("cpu") ? 0 : 99);
        o.put("use_mmap", true);
        o.put("n_prompt", t.nPrompt());
        o.put("n_gen", t.nGen());
        o.put("n_depth", t.depth());
        o.put("test_time", testTime.truncatedTo(ChronoUnit.SECONDS).toString());
        o.put("avg_ns", r.avgNs());
        o.put("stddev_ns", r.stddevNs());
        o.put("avg_ts", r.avgTs());
        o.put("stddev_ts", r.stddevTs());
        o.put("samples_ns", Arrays.stream(r.samplesNs()).boxed().toList());
        o.put("samples_ts", Arrays.stream(r.samplesTs()).boxed().toList());
        o.put("test", t.name());
        o.put("quant_type", model.quantType());
        o.put("backend", backend);
        o.put("device", r.device());
        o.put("driver", driver);
        o.put("machine_cpu", machine.cpuModel());
        o.put("machine_cores", machine.cores());
        o.put("machine_memory_bytes", machine.memoryBytes());
        o.put("machine_os", machine.os());
        o.put("machine_arch", machine.arch());
        o.put("model_n_active_params", model.activeParameters());
        o.put("repetitions", r.samplesNs().length);
        o.put("median_ts", r.medianTs());
        o.put("time_to_first_token_ms", finite(r.timeToFirstTokenMs()));
        o.put("weight_gb_per_s", finite(r.weightGBps()));
        o.put("bandwidth_fraction", finite(r.bandwidthFraction()));
        o.put("gflops", finite(r.gflops()));
        o.put("resident_bytes", r.residentBytes() < 0 ? null : r.residentBytes());
        o.put("minor_faults_per_token", finite(r.perToken().minorFaults()));
        o.put("major_faults_per_token", finite(r.perToken().majorFaults()));
        o.put("cpu_ms_per_token", finite(r.perToken().cpuMs()));
        o.put("profiled_tokens", r.profile() == null ? null : r.profile().tokens());
        o.put("kernel_ms_per_token", finite(r.kernelMsPerToken()));
        o.put("host_ms_per_token", finite(r.hostMsPerToken()));
        o.put("kernel_weight_gb_per_s", finite(r.kernelWeightGBps()));
        return o;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
