package org.dsv3.runner;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dsv3.model.synth.QuantRecipe;
import org.dsv3.model.synth.SyntheticArchitecture;
import org.dsv3.model.synth.SyntheticModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dsv3 synth}: a random-weight GGUF with the real dimensions of a model of the family. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = "Write a GGUF with random weights and the real dimensions of a DeepSeek-family model, for benchmarks.")
final class SynthCommand implements Callable<Integer> {
    @Option(names = "--arch", required = true, description = "v2-lite, moonlight, v3 or kimi-k2")
    String arch;

    @Option(names = "--layers", description = "write only the first N blocks (default: all)")
    Integer layers;

    @Option(names = "--type", defaultValue = "q8_0", description = "f32, f16, bf16, q8_0, q4_0, q5_0, q4_k_m, q5_k_m, q6_k, or a 1.5-2-bit dynamic mix "
            + "ud-iq1_s, ud-iq1_m, ud-iq2_xxs (default: ${DEFAULT-VALUE})")
    String type;

    @Option(names = "--out", required = true, description = "output GGUF file")
    Path out;

    @Option(names = "--seed", defaultValue = "1", description = "random seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--vocab", hidden = true, description = "smaller vocabulary, for tests")
    Integer vocab;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SyntheticArchitecture a = SyntheticArchitecture.parse(arch);
        QuantRecipe r = QuantRecipe.parse(type);
        int n = layers == null ? a.layers() : layers;
        long t0 = System.nanoTime();
        SyntheticModelWriter w = vocab == null ? new SyntheticModelWriter(a, n, r, seed) : new SyntheticModelWriter(a, n, r, seed, vocab);
        w.write(out);
        spec.commandLine().getErr().printf("dsv3 synth: wrote %s (%s, %d layers, %s) in %.1f s%n", out, a.label(), n, r.name(),
                (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
