package org.dsv3.tornado.tasks;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.dsv3.model.quant.IQuantGrids;
import org.dsv3.tornado.kernels.IQuantDot;
import org.dsv3.tornado.kernels.WeightType;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Upload layout of an i-quant tensor: its type's grid ({@link IQuantGrids}, as {@link IQuantDot}
 * reads it) followed by the tensor's raw bytes, unchanged, in one array. The grid costs at most
 * 16 KiB per tensor (IQ1), well under 0.1 % of any expert tensor; it keeps the kernels' signatures
 * as they are, with no extra buffer to pass to every task.
 */
final class DeviceGrids {
    private DeviceGrids() {
    }

    /** The header words of {@code type} (see {@link IQuantDot}): 8-value entries as two words, 4-value entries as one. */
    static int[] header(int type) {
        long[] wide = type == WeightType.IQ1_S || type == WeightType.IQ1_M ? IQuantGrids.IQ1S
                : type == WeightType.IQ2_XXS ? IQuantGrids.IQ2XXS
                : type == WeightType.IQ2_XS ? IQuantGrids.IQ2XS
                : type == WeightType.IQ2_S ? IQuantGrids.IQ2S : null;
        int[] out;
        if (wide != null) {
            out = new int[2 * wide.length];
            for (int e = 0; e < wide.length; e++) {
                out[2 * e] = (int) wide[e];
                out[2 * e + 1] = (int) (wide[e] >> 32);
            }
        } else if (type == WeightType.IQ3_XXS) {
            out = IQuantGrids.IQ3XXS.clone();
        } else if (type == WeightType.IQ3_S) {
            out = IQuantGrids.IQ3S.clone();
        } else {
            throw new IllegalArgumentException("ggml type id " + type + " has no grid");
        }
        if (4 * out.length != IQuantDot.headerBytes(type)) {
            throw new IllegalStateException("grid of type " + type + ": " + 4 * out.length + " bytes, kernels expect "
                    + IQuantDot.headerBytes(type));
        }
        return out;
    }

    /** Grid words, then the bytes of {@code data} (zero-padded to whole words, plus one spare word). */
    static IntArray words(int type, MemorySegment data) {
        int[] header = header(type);
        long bytes = data.byteSize();
        if (bytes + 4L * header.length > DeviceWeights.MAX_BYTES) {
            throw new IllegalArgumentException("tensor of " + bytes + " bytes exceeds the device kernels' 2 GiB addressing");
        }
        IntArray a = new IntArray(Math.toIntExact(header.length + (bytes + 3) / 4 + 1));
        MemorySegment seg = a.getSegment();
        MemorySegment.copy(header, 0, seg, ValueLayout.JAVA_INT, 0, header.length);
        MemorySegment.copy(data, 0, seg, 4L * header.length, bytes);
        return a;
    }
}
