package org.dsv3.model.config;

import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.gguf.GgufException;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;

/**
 * Checks a model file against its configuration before anything runs: every tensor of its
 * {@link ModelTensors} present with the right shape and a type this engine computes with. All
 * problems are reported at once, each naming the tensor. A load checks once, here; backends receive
 * the {@link CheckedModel}.
 */
public final class ModelValidator {
    private ModelValidator() {
    }

    /** The list of problems; empty when the file is usable. */
    public static List<String> problems(GgufModel model, DeepSeekConfig config) {
        return problems(model, ModelTensors.of(config));
    }

    private static List<String> problems(GgufModel model, ModelTensors tensors) {
        List<String> problems = new ArrayList<>();
        for (TensorSpec e : tensors.stored()) {
            GgufTensor t = model.tensors().get(e.name());
            if (t == null) {
                problems.add(e.name() + ": missing (expected shape " + e.shape() + ")");
                continue;
            }
            if (!e.hasShape(t.dims())) {
                problems.add(e.name() + ": shape " + t.shape() + ", expected " + e.shape());
            }
            if (!t.type().isSupported()) {
                problems.add(e.name() + ": tensor type " + t.type() + " is not supported by this engine");
            }
        }
        return problems;
    }

    /** How many problems an error message lists before it only counts the rest. */
    public static final int LISTED = 20;

    /**
     * The checked model, ready for a backend.
     *
     * @throws GgufException listing every problem when the file cannot be run
     */
    public static CheckedModel check(GgufModel model, DeepSeekConfig config) {
        ModelTensors tensors = ModelTensors.of(config);
        List<String> problems = problems(model, tensors);
        if (!problems.isEmpty()) {
            throw new GgufException(model.path() + ": " + problems.size() + " tensor problem(s):\n  "
                    + String.join("\n  ", firstOf(problems, LISTED)));
        }
        return new CheckedModel(model, config, tensors);
    }

    /** The first {@code n} lines, then "… and M more" when there are more. */
    public static List<String> firstOf(List<String> lines, int n) {
        if (lines.size() <= n) {
            return lines;
        }
        List<String> out = new ArrayList<>(lines.subList(0, n));
        out.add("… and " + (lines.size() - n) + " more");
        return out;
    }
}
