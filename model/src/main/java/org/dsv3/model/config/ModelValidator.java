package org.dsv3.model.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dsv3.model.gguf.GgufException;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;

/**
 * Checks a model file against its configuration before anything runs: every expected tensor
 * present with the right shape and a type this engine computes with. All problems are reported at
 * once, each naming the tensor.
 */
public final class ModelValidator {
    private ModelValidator() {
    }

    /** The list of problems; empty when the file is usable. */
    public static List<String> problems(GgufModel model, DeepSeekConfig config) {
        List<String> problems = new ArrayList<>();
        for (TensorSchema.Expected e : TensorSchema.expectedTensors(config)) {
            GgufTensor t = model.tensors().get(e.name());
            if (t == null) {
                if (!e.optional()) {
                    problems.add(e.name() + ": missing (expected shape " + Arrays.toString(e.dims()) + ")");
                }
                continue;
            }
            if (!Arrays.equals(t.dims(), e.dims())) {
                problems.add(e.name() + ": shape " + t.shape() + ", expected " + Arrays.toString(e.dims()));
            }
            if (!t.type().isSupported()) {
                problems.add(e.name() + ": tensor type " + t.type() + " is not supported by this engine");
            }
        }
        return problems;
    }

    /** How many problems an error message lists before it only counts the rest. */
    public static final int LISTED = 20;

    /** Throws a {@link GgufException} listing the problems (the first {@link #LISTED}) when the file cannot be run. */
    public static void check(GgufModel model, DeepSeekConfig config) {
        List<String> problems = problems(model, config);
        if (!problems.isEmpty()) {
            throw new GgufException(model.path() + ": " + problems.size() + " tensor problem(s):\n  "
                    + String.join("\n  ", firstOf(problems, LISTED)));
        }
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
