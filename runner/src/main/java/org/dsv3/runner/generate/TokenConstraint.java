package org.dsv3.runner.generate;

/**
 * Limits which tokens may come next (a grammar over the vocabulary): before each token is sampled
 * the disallowed ones get a logit of −∞. One {@link Session} per generation.
 */
public interface TokenConstraint {
    Session start();

    /** The constraint's state in one generation. Not thread-safe. */
    interface Session {
        /** Sets the logit of every token that may not come next to −∞ (end-of-generation tokens included, until the text may end). */
        void mask(float[] logits);

        /** The token that was chosen (not an end-of-generation token). */
        void accept(int token);
    }
}
