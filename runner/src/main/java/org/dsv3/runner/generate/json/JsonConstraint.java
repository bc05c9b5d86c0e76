package org.dsv3.runner.generate.json;

import java.util.BitSet;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.runner.generate.TokenConstraint;

/**
 * Constrains a generation to one JSON value matching a {@link JsonSchema}: only tokens whose whole
 * text continues valid JSON for the schema may come, and the end-of-generation tokens only once the
 * value is complete (after it nothing else may). A generation cut short by its token limit can
 * still end inside the value.
 */
public final class JsonConstraint implements TokenConstraint {
    private final JsonSchema schema;
    private final VocabularyTrie trie;
    private final Tokenizer tokenizer;

    public JsonConstraint(JsonSchema schema, VocabularyTrie trie, Tokenizer tokenizer) {
        this.schema = schema;
        this.trie = trie;
        this.tokenizer = tokenizer;
    }

    @Override
    public Session start() {
        return new Session() {
            private JsonAutomaton.State state = JsonAutomaton.start(schema);

            @Override
            public void mask(float[] logits) {
                BitSet allowed = trie.allowed(state);
                if (state.complete()) {
                    for (int e : tokenizer.endOfGenerationIds()) {
                        allowed.set(e);
                    }
                }
                for (int i = allowed.nextClearBit(0); i < logits.length; i = allowed.nextClearBit(i + 1)) {
                    logits[i] = Float.NEGATIVE_INFINITY;
                }
            }

            @Override
            public void accept(int token) {
                JsonAutomaton.State next = state.steps(tokenizer.tokenPiece(token));
                if (next == null) {
                    throw new IllegalStateException("token " + token + " was sampled although the JSON constraint masked it");
                }
                state = next;
            }
        };
    }
}
