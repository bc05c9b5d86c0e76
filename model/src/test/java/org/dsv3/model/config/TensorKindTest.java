package org.dsv3.model.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class TensorKindTest {

    /** Names as llama.cpp's converter writes them (docs/architecture.md §2). */
    @Test
    void namesAreLlamaCppsAndParseBack() {
        assertEquals("blk.7.attn_kv_a_mqa.weight", TensorKind.ATTN_KV_A_MQA.tensorName(7));
        assertEquals("blk.0.exp_probs_b.bias", TensorKind.EXP_PROBS_B.tensorName(0));
        assertEquals("token_embd.weight", TensorKind.TOKEN_EMBD.tensorName());
        for (TensorKind k : TensorKind.values()) {
            String name = k.perBlock() ? k.tensorName(12) : k.tensorName();
            assertEquals(k, TensorKind.ofName(name), name);
        }
        assertNull(TensorKind.ofName("blk.3.nextn.eh_proj.weight"));
        assertNull(TensorKind.ofName("attn_norm.weight"));
        assertNull(TensorKind.ofName("blk.output.weight"));
    }
}
