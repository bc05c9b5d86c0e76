package org.dsv3.runner.generate;

/** The model computed a logit that is NaN or infinite: its weights or hyperparameters are broken. */
public final class NonFiniteLogitsException extends IllegalStateException {
    public NonFiniteLogitsException(int position, int token, float value) {
        super("the model computed a non-finite logit (" + value + " for token " + token + " after " + position
                + " positions): its weights or hyperparameters are broken; generation stopped");
    }
}
