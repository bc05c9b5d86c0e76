package org.dsv3.tornado.tasks;

import org.dsv3.model.backend.KvCacheType;
import org.dsv3.tornado.kernels.CacheFormat;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * One block's latent cache on the device, {@code maxContext} rows of {@code [c | k_pe]} (width W): float32 in
 * {@link #floats}, or F16/BF16 two values a word in {@link #halves} ({@link CacheFormat}). The attention
 * kernels take both arrays and the {@link #format}; the one the format does not use is a two-element
 * stand-in, never read or written (its own per block, so that it goes up with the block's decode graph and is
 * handed to the block's prefill graph like the cache itself).
 */
record DeviceLatentCache(FloatArray floats, IntArray halves, int format) {

    static DeviceLatentCache allocate(KvCacheType type, int maxContext, int width) {
        if (width % 2 != 0) {
            throw new IllegalArgumentException("latent width " + width + " is odd: a half-precision cache packs two values a word");
        }
        return switch (type) {
            case F32 -> new DeviceLatentCache(DeviceWeights.zeros(maxContext * width), DeviceWeights.intZeros(2), CacheFormat.F32);
            case F16 -> new DeviceLatentCache(DeviceWeights.zeros(2), DeviceWeights.intZeros(maxContext * width / 2), CacheFormat.F16);
            case BF16 -> new DeviceLatentCache(DeviceWeights.zeros(2), DeviceWeights.intZeros(maxContext * width / 2), CacheFormat.BF16);
        };
    }

    /** Both arrays, for the graphs' transfers and hand-overs. */
    Object[] arrays() {
        return new Object[] {floats, halves};
    }
}
