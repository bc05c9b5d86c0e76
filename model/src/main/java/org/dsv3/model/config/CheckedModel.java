package org.dsv3.model.config;

import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;

/**
 * A model file checked against its configuration: every tensor of {@link #tensors()} is in the file
 * with its shape and a supported type. Only {@link ModelValidator#check} makes one, so a backend that
 * receives it loads without checking again. The file stays open while the model is in use.
 */
public final class CheckedModel {
    private final GgufModel file;
    private final DeepSeekConfig config;
    private final ModelTensors tensors;

    CheckedModel(GgufModel file, DeepSeekConfig config, ModelTensors tensors) {
        this.file = file;
        this.config = config;
        this.tensors = tensors;
    }

    public GgufModel file() {
        return file;
    }

    public DeepSeekConfig config() {
        return config;
    }

    public ModelTensors tensors() {
        return tensors;
    }

    /** The file's tensor for {@code spec} (a stored one: a derived tensor is built from another). */
    public GgufTensor tensor(TensorSpec spec) {
        if (spec.derived()) {
            throw new IllegalArgumentException(spec.name() + " is not stored in the file; it is derived at load");
        }
        return file.tensor(spec.name());
    }
}
