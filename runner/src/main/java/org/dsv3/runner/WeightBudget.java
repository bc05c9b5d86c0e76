package org.dsv3.runner;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.ModelStatistics;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.model.quant.IQuantGrids;

/**
 * What a model file costs: bits per weight for each {@link TensorClass}, and the memory a device
 * needs to hold it — every weight once (uploaded as stored, plus each i-quant tensor's grid table)
 * and an F32 latent KV cache for {@code context} tokens (the upper bound; activations are
 * megabytes and not counted).
 */
final class WeightBudget {
    private WeightBudget() {
    }

    /** Per class (in {@link TensorClass} order, classes present only): parameters, bytes, bits per weight, types. */
    static Map<String, Object> bitsPerWeight(GgufModel m) {
        Map<TensorClass, long[]> sums = new EnumMap<>(TensorClass.class);
        Map<TensorClass, TreeSet<String>> types = new EnumMap<>(TensorClass.class);
        for (GgufTensor t : m.tensors().values()) {
            TensorClass c = TensorClass.of(t.name());
            long[] s = sums.computeIfAbsent(c, k -> new long[2]);
            s[0] += t.elementCount();
            s[1] += t.byteSize();
            types.computeIfAbsent(c, k -> new TreeSet<>()).add(t.type().name());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        sums.forEach((c, s) -> {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("parameters", s[0]);
            row.put("bytes", s[1]);
            row.put("bits_per_weight", s[0] == 0 ? 0.0 : Math.round(s[1] * 8.0 / s[0] * 10000) / 10000.0);
            row.put("types", String.join("+", types.get(c)));
            out.put(c.name().toLowerCase(), row);
        });
        return out;
    }

    /** Projected device memory for {@code context} tokens on a device of {@code deviceBytes}. */
    static Map<String, Object> deviceMemory(GgufModel m, DeepSeekConfig c, long context, long deviceBytes) {
        long weights = 0;
        long grids = 0;
        for (GgufTensor t : m.tensors().values()) {
            weights += t.byteSize();
            grids += IQuantGrids.packedBytes(t.type());
        }
        long kv = ModelStatistics.kvCacheBytesPerToken(c, 4) * context;
        long total = weights + grids + kv;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("weights", weights);
        out.put("grid_tables", grids);
        out.put("kv_cache_f32", kv);
        out.put("context", context);
        out.put("total", total);
        out.put("device", deviceBytes);
        out.put("fits", total <= deviceBytes);
        return out;
    }
}
