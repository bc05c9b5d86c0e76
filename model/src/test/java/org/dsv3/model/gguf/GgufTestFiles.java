package org.dsv3.model.gguf;

import java.lang.foreign.ValueLayout;
import org.dsv3.model.quant.GgmlType;

/** Small GGUF files built in the tests themselves. */
final class GgufTestFiles {
    private GgufTestFiles() {
    }

    /** A file with a little of every kind of metadata and three tensors. */
    static GgufWriter smallModel() {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("deepseek2"));
        w.put("deepseek2.block_count", GgufValue.u32(1));
        w.put("tokenizer.ggml.tokens", GgufValue.array(GgufArray.ofStrings("a", "b", "Ġc", "<｜User｜>")));
        w.put("tokenizer.ggml.scores", GgufValue.array(GgufArray.ofFloats(0f, 1f, 2f, 3f)));
        w.put("tokenizer.ggml.token_type", GgufValue.array(GgufArray.ofInts(GgufValueType.INT32, 1, 1, 1, 4)));
        w.addTensor("token_embd.weight", GgmlType.F32, new long[] {8, 4},
                dst -> { for (int i = 0; i < 32; i++) { dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, i); } });
        w.addTensor("x.weight", GgmlType.Q4_K, new long[] {256, 2}, dst -> dst.fill((byte) 1));
        w.addTensor("y.weight", GgmlType.BF16, new long[] {16}, dst -> dst.fill((byte) 0x3f));
        return w;
    }
}
