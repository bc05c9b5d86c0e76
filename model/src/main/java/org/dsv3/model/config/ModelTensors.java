package org.dsv3.model.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The typed description of a model's tensors, derived once from its configuration: the embedding,
 * each block of the main stack ({@link LayerTensors}), the final norm and the output head, with their
 * shapes. Validation ({@link ModelValidator}) checks a file against it; both backends' loaders and the
 * synthetic writer build the model from it.
 */
public record ModelTensors(TensorSpec embedding, List<LayerTensors> layers, TensorSpec outputNorm, TensorSpec output) {

    public ModelTensors {
        layers = List.copyOf(layers);
    }

    public static ModelTensors of(DeepSeekConfig c) {
        List<LayerTensors> layers = new ArrayList<>(c.mainBlockCount());
        for (int i = 0; i < c.mainBlockCount(); i++) {
            layers.add(LayerTensors.of(c, i));
        }
        return new ModelTensors(
                new TensorSpec(TensorKind.TOKEN_EMBD, -1, new long[] {c.dim(), c.vocabSize()}, false),
                layers,
                new TensorSpec(TensorKind.OUTPUT_NORM, -1, new long[] {c.dim()}, false),
                new TensorSpec(TensorKind.OUTPUT, -1, new long[] {c.dim(), c.vocabSize()}, false));
    }

    public LayerTensors layer(int i) {
        return layers.get(i);
    }

    /** The tensors the file holds, in the order llama.cpp writes them: embedding, blocks, norm, head. */
    public List<TensorSpec> stored() {
        List<TensorSpec> l = new ArrayList<>();
        l.add(embedding);
        for (LayerTensors layer : layers) {
            l.addAll(layer.stored());
        }
        l.add(outputNorm);
        l.add(output);
        return l;
    }
}
