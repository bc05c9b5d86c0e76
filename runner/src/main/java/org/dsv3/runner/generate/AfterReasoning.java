package org.dsv3.runner.generate;

import java.nio.charset.StandardCharsets;
import org.dsv3.model.chat.ReasoningSplitter;
import org.dsv3.model.tokenizer.Tokenizer;

/**
 * A constraint that starts once the model's reasoning is over: for prompts that open an R1-style
 * {@code <think>} block, the reasoning is written freely and {@code inner} applies from the token
 * after the one that completes {@code </think>} (the answer is what has to be JSON, not the thoughts).
 */
public final class AfterReasoning implements TokenConstraint {
    private final TokenConstraint inner;
    private final Tokenizer tokenizer;

    public AfterReasoning(TokenConstraint inner, Tokenizer tokenizer) {
        this.inner = inner;
        this.tokenizer = tokenizer;
    }

    @Override
    public Session start() {
        return new Session() {
            private final StringBuilder tail = new StringBuilder();
            private Session answer;

            @Override
            public void mask(float[] logits) {
                if (answer != null) {
                    answer.mask(logits);
                }
            }

            @Override
            public void accept(int token) {
                if (answer != null) {
                    answer.accept(token);
                    return;
                }
                // the close tag is ASCII: bytes as chars are enough to find it, across token boundaries
                tail.append(new String(tokenizer.tokenPiece(token), StandardCharsets.ISO_8859_1));
                if (tail.indexOf(ReasoningSplitter.CLOSE) >= 0) {
                    answer = inner.start();
                } else if (tail.length() > 64) {
                    tail.delete(0, tail.length() - ReasoningSplitter.CLOSE.length());
                }
            }
        };
    }
}
