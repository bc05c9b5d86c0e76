package org.dsv3.runner.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.runner.TestModels;
import org.dsv3.runner.generate.json.JsonConstraint;
import org.dsv3.runner.generate.json.JsonSchema;
import org.dsv3.runner.generate.json.VocabularyTrie;
import org.junit.jupiter.api.Test;

/** The JSON constraint of an R1-style answer waits for the end of the reasoning. */
class AfterReasoningTest {

    static int masked(TokenConstraint.Session s, int vocab) {
        float[] logits = new float[vocab];
        s.mask(logits);
        int n = 0;
        for (float l : logits) {
            n += l == Float.NEGATIVE_INFINITY ? 1 : 0;
        }
        return n;
    }

    /** The tokens of {@code pieces}, each piece encoded on its own. */
    static int[] tokens(String... pieces) {
        return java.util.Arrays.stream(pieces).flatMapToInt(p -> java.util.Arrays.stream(TestModels.tokenizer().encode(p, true, false)))
                .toArray();
    }

    static void closesAfter(int[] ids) {
        Tokenizer tok = TestModels.tokenizer();
        TokenConstraint json = new JsonConstraint(JsonSchema.ANY_OBJECT, new VocabularyTrie(tok), tok);
        TokenConstraint.Session s = new AfterReasoning(json, tok).start();
        for (int i = 0; i < ids.length; i++) {
            assertEquals(0, masked(s, tok.vocabSize()), "nothing is masked while the model reasons (token " + i + ")");
            s.accept(ids[i]);
        }
        float[] logits = new float[tok.vocabSize()];
        s.mask(logits);
        assertTrue(logits[tok.tokenId("{")] == 0f, "an object may begin");
        assertTrue(logits[tok.tokenId("a")] == Float.NEGATIVE_INFINITY, "text may not");
        assertTrue(logits[tok.eosId()] == Float.NEGATIVE_INFINITY, "nor may the answer end before its value");
    }

    @Test
    void theConstraintStartsAfterTheCloseTag() {
        assertEquals(1, tokens("</think>").length, "the tag is one token of the vocabulary");
        closesAfter(tokens("Let me think: the user wants a person.</think>"));
    }

    @Test
    void aCloseTagSplitOverSeveralTokensCountsToo() {
        closesAfter(tokens("Fine.</th", "ink>"));
    }
}
