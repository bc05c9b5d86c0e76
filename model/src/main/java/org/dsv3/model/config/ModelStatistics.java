package org.dsv3.model.config;

import java.util.Map;
import java.util.TreeMap;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.model.quant.GgmlType;

/**
 * Sizes derived from a model file: parameter counts (total and active per token), the mix of
 * tensor types with their bytes, and the bytes of weights one decoded token reads.
 *
 * @param totalParameters   every element of every tensor
 * @param activeParameters  what one token touches: all but the routed experts it does not use
 * @param bytesPerType      bytes of tensor data per ggml type
 * @param tensorsPerType    tensor count per ggml type
 * @param activeWeightBytes bytes of weights read to decode one token (embedding: one row)
 */
public record ModelStatistics(long totalParameters, long activeParameters, Map<GgmlType, Long> bytesPerType,
                              Map<GgmlType, Integer> tensorsPerType, long activeWeightBytes) {

    public static ModelStatistics of(GgufModel model, DeepSeekConfig config) {
        long total = 0;
        long inactive = 0;
        long activeBytes = 0;
        Map<GgmlType, Long> bytes = new TreeMap<>();
        Map<GgmlType, Integer> counts = new TreeMap<>();
        double unusedFraction = config.expertCount() == 0 ? 0
                : (config.expertCount() - config.expertUsedCount()) / (double) config.expertCount();
        for (GgufTensor t : model.tensors().values()) {
            long n = t.elementCount();
            total += n;
            bytes.merge(t.type(), t.byteSize(), Long::sum);
            counts.merge(t.type(), 1, Integer::sum);
            TensorKind kind = TensorKind.ofName(t.name());
            if (kind != null && kind.isRoutedExperts()) {
                inactive += Math.round(n * unusedFraction);
                activeBytes += Math.round(t.byteSize() * (1 - unusedFraction));
            } else if (kind == TensorKind.TOKEN_EMBD) {
                activeBytes += t.rowBytes();
            } else {
                activeBytes += t.byteSize();
            }
        }
        return new ModelStatistics(total, total - inactive, bytes, counts, activeBytes);
    }

    /** KV-cache bytes per token over all main layers for a cache element of {@code bytesPerValue} (§3.5). */
    public static long kvCacheBytesPerToken(DeepSeekConfig config, int bytesPerValue) {
        return (long) config.mainBlockCount() * config.kvCacheWidth() * bytesPerValue;
    }
}
