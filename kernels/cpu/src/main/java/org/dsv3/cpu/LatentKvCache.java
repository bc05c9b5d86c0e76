package org.dsv3.cpu;

import java.util.Arrays;
import org.dsv3.model.backend.KvCacheType;

/**
 * The MLA cache (docs/architecture.md §3.3): per layer and token one row {@code [c | k_pe]} of
 * {@code kv_lora_rank + qk_rope_head_dim} values (576 for V3), the normalised latent and the already
 * rotated key part. Stored as float32, bfloat16 or float16; rows grow on demand up to the context
 * limit. Reads come back as float32.
 */
public final class LatentKvCache {
    private final KvCacheType type;
    private final int width;
    private final int maxTokens;
    private final float[][] f32;
    private final short[][] half;
    private int capacity;
    /** Decoded rows for the half-precision types, reused across layers and steps. */
    private float[] decoded = new float[0];

    public LatentKvCache(KvCacheType type, int layers, int width, int maxTokens) {
        this.type = type;
        this.width = width;
        this.maxTokens = maxTokens;
        this.capacity = Math.min(maxTokens, 256);
        if (type == KvCacheType.F32) {
            f32 = new float[layers][capacity * width];
            half = null;
        } else {
            f32 = null;
            half = new short[layers][capacity * width];
        }
    }

    public KvCacheType type() {
        return type;
    }

    public int width() {
        return width;
    }

    public int maxTokens() {
        return maxTokens;
    }

    /** Stores {@code src[srcOff … srcOff+width)} as the row of token {@code pos} in {@code layer}. */
    public void store(int layer, int pos, float[] src, int srcOff) {
        ensureCapacity(pos + 1);
        int o = pos * width;
        switch (type) {
            case F32 -> System.arraycopy(src, srcOff, f32[layer], o, width);
            case BF16 -> {
                short[] h = half[layer];
                for (int i = 0; i < width; i++) {
                    h[o + i] = toBf16(src[srcOff + i]);
                }
            }
            case F16 -> {
                short[] h = half[layer];
                for (int i = 0; i < width; i++) {
                    h[o + i] = Float.floatToFloat16(src[srcOff + i]);
                }
            }
        }
    }

    /**
     * The first {@code tokens} rows of {@code layer} as float32, row {@code t} at {@code t·width}.
     * For F32 this is the storage itself; otherwise a buffer decoded in parallel on {@code pool}, valid
     * until the next call. Callers must not write to it.
     */
    public float[] rows(int layer, int tokens, WorkerPool pool) {
        if (type == KvCacheType.F32) {
            return f32[layer];
        }
        if (decoded.length < tokens * width) {
            decoded = new float[capacity * width];
        }
        float[] out = decoded;
        short[] h = half[layer];
        boolean bf16 = type == KvCacheType.BF16;
        pool.parallelFor(tokens * width, 4096, (from, to, worker) -> {
            for (int i = from; i < to; i++) {
                out[i] = bf16 ? fromBf16(h[i]) : Float.float16ToFloat(h[i]);
            }
        });
        return out;
    }

    private void ensureCapacity(int tokens) {
        if (tokens > maxTokens) {
            throw new IllegalArgumentException("context full: position " + (tokens - 1) + " exceeds the limit of "
                    + maxTokens + " tokens");
        }
        if (tokens <= capacity) {
            return;
        }
        int next = (int) Math.min(maxTokens, Math.max((long) tokens, 2L * capacity));
        for (int l = 0; l < (f32 != null ? f32.length : half.length); l++) {
            if (f32 != null) {
                f32[l] = Arrays.copyOf(f32[l], next * width);
            } else {
                half[l] = Arrays.copyOf(half[l], next * width);
            }
        }
        capacity = next;
    }

    /** Float32 → bfloat16, round to nearest even (NaN stays NaN). */
    static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7fffffff) > 0x7f800000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    static float fromBf16(short h) {
        return Float.intBitsToFloat(h << 16);
    }
}
