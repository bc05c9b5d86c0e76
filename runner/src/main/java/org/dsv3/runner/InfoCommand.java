package org.dsv3.runner;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.config.ModelValidator;
import org.dsv3.model.gguf.GgufModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dsv3 info}: the configuration of a model file and whether this engine can run it. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "Show a model's configuration and check its tensors.")
final class InfoCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "GGUF model (any shard of a split model)")
    Path model;

    @Override
    public Integer call() {
        try (GgufModel file = GgufModel.open(model)) {
            DeepSeekConfig c = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
            System.out.println(c.family() + ": " + c);
            System.out.println("tensors: " + file.tensors().size() + ", kq_scale " + c.kqScale());
            var problems = ModelValidator.problems(file, c);
            problems.forEach(p -> System.out.println("problem: " + p));
            return problems.isEmpty() ? 0 : 1;
        }
    }
}
