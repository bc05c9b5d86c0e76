package org.dsv3.model.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.Gating;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.config.ModelStatistics;
import org.dsv3.model.config.ModelTensors;
import org.dsv3.model.config.ModelValidator;
import org.dsv3.model.config.TensorKind;
import org.dsv3.model.config.TensorSpec;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.model.quant.BlockFormat;
import org.dsv3.model.quant.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelWriterTest {
    @TempDir
    Path tmp;

    private DeepSeekConfig metadataOf(SyntheticArchitecture a) throws IOException {
        Path f = tmp.resolve(a.cliName() + ".gguf");
        new SyntheticModelWriter(a, a.layers(), QuantRecipe.Q8_0, 1).writeMetadataOnly(f);
        try (GgufModel m = GgufModel.open(f)) {
            return DeepSeekConfig.fromGguf(m, GroupRouting.AUTO);
        }
    }

    /** The hyperparameters written are the real ones (docs/architecture.md §1.2, §3.4, §3.5). */
    @Test
    void realHyperparametersOfEveryArchitecture() throws IOException {
        DeepSeekConfig v3 = metadataOf(SyntheticArchitecture.V3);
        assertEquals(0.1352338f, v3.kqScale(), 1e-7);
        assertEquals(70_272, ModelStatistics.kvCacheBytesPerToken(v3, 2));
        assertEquals(8, v3.groupCount());
        assertEquals(1536, v3.qLoraRank());
        DeepSeekConfig lite = metadataOf(SyntheticArchitecture.V2_LITE);
        assertEquals(0.1147214f, lite.kqScale(), 1e-7);
        assertEquals(Gating.SOFTMAX, lite.gating());
        assertEquals(31_104, ModelStatistics.kvCacheBytesPerToken(lite, 2));
        DeepSeekConfig kimi = metadataOf(SyntheticArchitecture.KIMI_K2);
        assertEquals(0.1308608f, kimi.kqScale(), 1e-7);
        assertEquals(384, kimi.expertCount());
        DeepSeekConfig moon = metadataOf(SyntheticArchitecture.MOONLIGHT);
        assertEquals(0.0721688f, moon.kqScale(), 1e-7);
        assertEquals(Gating.SIGMOID, moon.gating());
        assertEquals("Moonlight", moon.family());
    }

    /** The configuration the writer builds its tensors from is the one its metadata reads as. */
    @Test
    void theWritersConfigurationIsTheOneItsMetadataReadsAs() throws IOException {
        for (SyntheticArchitecture a : SyntheticArchitecture.values()) {
            DeepSeekConfig read = metadataOf(a);
            DeepSeekConfig own = a.config(a.layers(), read.vocabSize());
            assertEquals(withName(read, own.name()), own, a.cliName());
        }
    }

    private static DeepSeekConfig withName(DeepSeekConfig c, String name) {
        return new DeepSeekConfig(name, c.blockCount(), c.mainBlockCount(), c.contextLength(), c.dim(), c.ffnDim(),
                c.headCount(), c.qLoraRank(), c.kvLoraRank(), c.qkNopeDim(), c.qkRopeDim(), c.vHeadDim(), c.rmsEps(),
                c.latentNormEps(), c.ropeBase(), c.yarn(), c.yarnFactor(), c.yarnOriginalContext(), c.mscaleAllDim(),
                c.yarnBetaFast(), c.yarnBetaSlow(), c.denseBlockCount(), c.expertCount(), c.expertUsedCount(),
                c.sharedExpertCount(), c.expertFfnDim(), c.routedScale(), c.normalizeTopK(), c.gating(), c.groupCount(),
                c.groupUsedCount(), c.hasSelectionBias(), c.attentionLayout(), c.vocabSize());
    }

    @Test
    void aWrittenModelPassesValidationWithSaneQuantizedWeights() throws IOException {
        Path f = tmp.resolve("lite.gguf");
        new SyntheticModelWriter(SyntheticArchitecture.V2_LITE, 2, QuantRecipe.Q4_K_M, 7, 300).write(f);
        try (GgufModel m = GgufModel.open(f)) {
            DeepSeekConfig c = DeepSeekConfig.fromGguf(m, GroupRouting.AUTO);
            assertEquals(List.of(), ModelValidator.problems(m, c));
            assertEquals(ModelTensors.of(SyntheticArchitecture.V2_LITE.config(2, 300)), ModelTensors.of(c));
            // llama-quantize's fallbacks for rows that are not a multiple of 256 (§9.3)
            assertEquals(GgmlType.Q5_0, m.tensor("blk.0.attn_k_b.weight").type());
            assertEquals(GgmlType.Q4_K, m.tensor("blk.1.ffn_gate_exps.weight").type());
            assertEquals(GgmlType.F32, m.tensor("blk.1.ffn_gate_inp.weight").type());
            // weights decode to values of the intended scale (uniform, variance 1/fan-in)
            double variance = rowVariance(m.tensor("blk.1.ffn_up_exps.weight"), 1000);
            assertTrue(variance > 0.5 / 2048 && variance < 2.0 / 2048, "variance " + variance);
        }
    }

    @Test
    void dynamicMixesPutTheRoutedExpertsLowestAndDownOneStepAbove() throws IOException {
        Path f = tmp.resolve("lite-ud.gguf");
        new SyntheticModelWriter(SyntheticArchitecture.V2_LITE, 2, QuantRecipe.parse("ud-iq1_m"), 7, 300).write(f);
        try (GgufModel m = GgufModel.open(f)) {
            DeepSeekConfig c = DeepSeekConfig.fromGguf(m, GroupRouting.AUTO);
            assertEquals(List.of(), ModelValidator.problems(m, c));
            assertEquals(GgmlType.IQ1_M, m.tensor("blk.1.ffn_gate_exps.weight").type());
            assertEquals(GgmlType.IQ1_M, m.tensor("blk.1.ffn_up_exps.weight").type());
            // V2-Lite's experts are 1408 wide: their down rows are not whole 256-blocks and fall back
            assertEquals(GgmlType.Q4_0, m.tensor("blk.1.ffn_down_exps.weight").type());
            assertEquals(GgmlType.Q6_K, m.tensor("blk.1.ffn_down_shexp.weight").type());
            assertEquals(GgmlType.Q4_K, m.tensor("blk.0.attn_output.weight").type());
            assertEquals(GgmlType.Q6_K, m.tensor("output.weight").type());
            assertEquals(GgmlType.F32, m.tensor("blk.1.ffn_gate_inp.weight").type());
            assertEquals(31, m.metadata().getInt("general.file_type"));
            double variance = rowVariance(m.tensor("blk.1.ffn_up_exps.weight"), 1000);
            assertTrue(variance > 0.5 / 2048 && variance < 2.0 / 2048, "variance " + variance);
        }
    }

    @Test
    void udMixTypesPerTensorClass() {
        // DeepSeek-V3: 61 blocks, 7168-wide, experts 2048 wide
        assertEquals(GgmlType.IQ1_S, QuantRecipe.UD_IQ1_S.typeFor(spec(TensorKind.FFN_GATE_EXPS, 30, 7168, 3), 61));
        assertEquals(GgmlType.IQ1_S, QuantRecipe.UD_IQ1_S.typeFor(spec(TensorKind.FFN_DOWN_EXPS, 31, 2048, 3), 61));
        assertEquals(GgmlType.IQ2_XXS, QuantRecipe.UD_IQ1_S.typeFor(spec(TensorKind.FFN_DOWN_EXPS, 3, 2048, 3), 61));
        assertEquals(GgmlType.IQ2_XXS, QuantRecipe.UD_IQ1_M.typeFor(spec(TensorKind.FFN_DOWN_EXPS, 30, 2048, 3), 61));
        assertEquals(GgmlType.IQ2_S, QuantRecipe.UD_IQ2_XXS.typeFor(spec(TensorKind.FFN_DOWN_EXPS, 60, 2048, 3), 61));
        assertEquals(GgmlType.IQ2_XXS, QuantRecipe.UD_IQ2_XXS.typeFor(spec(TensorKind.FFN_UP_EXPS, 60, 7168, 3), 61));
        assertEquals(GgmlType.Q6_K, QuantRecipe.UD_IQ1_S.typeFor(spec(TensorKind.FFN_DOWN, 0, 18432, 2), 61));
        assertEquals(GgmlType.Q4_K, QuantRecipe.UD_IQ1_S.typeFor(spec(TensorKind.FFN_GATE, 0, 7168, 2), 61));
        assertEquals(GgmlType.Q5_0, QuantRecipe.UD_IQ1_S.typeFor(spec(TensorKind.ATTN_K_B, 9, 128, 3), 61));
        assertEquals(QuantRecipe.UD_IQ2_XXS, QuantRecipe.parse("UD-IQ2_XXS"));
    }

    /** A tensor of {@code kind} in {@code block} with rows of {@code rowLength} values and {@code dims} dimensions. */
    private static TensorSpec spec(TensorKind kind, int block, long rowLength, int dims) {
        long[] shape = new long[dims];
        java.util.Arrays.fill(shape, 8);
        shape[0] = rowLength;
        return new TensorSpec(kind, block, shape, false);
    }

    /** Mean square of the values of row {@code r} of a 2048-wide tensor. */
    private static double rowVariance(GgufTensor t, long r) {
        float[] row = new float[2048];
        BlockFormat.of(t.type()).dequantize(t.data(), t.rowBytes() * r, row, 0, 2048);
        double sq = 0;
        for (float v : row) {
            sq += v * v;
        }
        return sq / row.length;
    }
}
