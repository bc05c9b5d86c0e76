package org.dsv3.model.backend;

import java.util.Locale;
import java.util.Set;

/**
 * Element type of the latent KV cache (docs/architecture.md §3.3, §3.5): what each of the 576 cached
 * values per token and layer is stored as. Arithmetic is always float32; only storage differs.
 */
public enum KvCacheType {
    /** 4 bytes per value, exact. The default. */
    F32(4),
    /** bfloat16, 2 bytes: float32's exponent range, 8 significant bits. */
    BF16(2),
    /** IEEE half precision, 2 bytes: 11 significant bits, range ±65504. */
    F16(2);

    private final int bytes;

    KvCacheType(int bytes) {
        this.bytes = bytes;
    }

    public int bytesPerValue() {
        return bytes;
    }

    /**
     * The type a device keeps when the user does not choose: half precision (F16, then BF16) where the
     * device stores it — half the cache traffic at long context — else F32.
     */
    public static KvCacheType preferred(Set<KvCacheType> kept) {
        return kept.contains(F16) ? F16 : kept.contains(BF16) ? BF16 : F32;
    }

    /** Parses {@code f32}, {@code bf16} or {@code f16} (any case). */
    public static KvCacheType parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "f32" -> F32;
            case "bf16" -> BF16;
            case "f16" -> F16;
            default -> throw new IllegalArgumentException("unknown KV cache type '" + s + "' (f32, bf16 or f16)");
        };
    }
}
