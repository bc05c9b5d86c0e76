package org.dsv3.runner.generate.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.runner.TestModels;
import org.junit.jupiter.api.Test;

/**
 * The JSON automaton against Jackson's strict parser (acceptance of mutated JSON texts), and the
 * vocabulary constraint: token sequences drawn at random under it (the tiny model's 2048-token
 * vocabulary, random logits) parse as JSON and pass an independent JSON Schema validator (networknt).
 */
class JsonAutomatonTest {
    static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    static boolean accepts(JsonSchema schema, String text) {
        JsonAutomaton.State s = JsonAutomaton.start(schema).steps(text.getBytes(StandardCharsets.UTF_8));
        return s != null && s.complete();
    }

    static boolean jacksonAccepts(String text) {
        try {
            STRICT.readTree(text);
            return !text.isBlank();
        } catch (Exception e) {
            return false;
        }
    }

    static final List<String> SAMPLES = List.of(
            "{\"a\": [1, 2.5, -0.5e10, true, false, null], \"b\": {\"c\": \"d\\n\\u00e9\\\"\"}}",
            "[{\"x\": \"héllo ✓ 😀\"}, [], {}, \"\", 0, -12, 3E+2, 1e-7]",
            "\"just a string\"", "12", "-0", "{\"k\":{\"k\":{\"k\":[[\"v\"]]}}}", "[1,\n  2 ,\t3]");

    @Test
    void acceptsExactlyWhatAStrictJsonParserAccepts() {
        Random r = new Random(7);
        String alphabet = "{}[]\",:0123456789.eE+-truefalsn \\u/abé\n";
        int checked = 0, valid = 0;
        for (String sample : SAMPLES) {
            assertTrue(accepts(JsonSchema.ANY, sample), sample);
            for (int i = 0; i < 1500; i++) {
                StringBuilder m = new StringBuilder(sample);
                int edits = 1 + r.nextInt(3);
                for (int e = 0; e < edits && !m.isEmpty(); e++) {
                    int at = r.nextInt(m.length());
                    char c = alphabet.charAt(r.nextInt(alphabet.length()));
                    switch (r.nextInt(3)) {
                        case 0 -> m.deleteCharAt(at);
                        case 1 -> m.insert(at, c);
                        default -> m.setCharAt(at, c);
                    }
                }
                String text = m.toString();
                boolean jackson = jacksonAccepts(text);
                assertEquals(jackson, accepts(JsonSchema.ANY, text), "on " + text);
                checked++;
                valid += jackson ? 1 : 0;
            }
        }
        assertTrue(valid > checked / 20 && valid < checked * 19 / 20, "a fair mix of valid and invalid texts: " + valid + " of " + checked);
    }

    @Test
    void repeatedKeysIncompleteValuesAndTrailingTextAreRefused() {
        assertNull(JsonAutomaton.start(JsonSchema.ANY).steps("{\"a\":1,\"a\":2".getBytes(StandardCharsets.UTF_8)));
        assertTrue(!accepts(JsonSchema.ANY, "{\"a\":1"));
        assertTrue(!accepts(JsonSchema.ANY, "{} {}"));
        assertTrue(!accepts(JsonSchema.ANY_OBJECT, "[1]"));
        assertTrue(accepts(JsonSchema.ANY_OBJECT, "{\"a\": [1]}"));
        assertTrue(!accepts(JsonSchema.ANY, "[" + " ".repeat(JsonAutomaton.MAX_WHITESPACE + 1) + "1]"), "whitespace runs are bounded");
    }

    static JsonSchema compile(String schema) throws Exception {
        return JsonSchema.compile(STRICT.readTree(schema));
    }

    @Test
    void schemasAreEnforced() throws Exception {
        JsonSchema s = compile("{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\", \"maxLength\": 3},"
                + " \"n\": {\"type\": \"integer\"}, \"kind\": {\"enum\": [\"cat\", \"dog\", 1, 12, null]}},"
                + " \"required\": [\"name\", \"kind\"], \"additionalProperties\": false}");
        assertTrue(accepts(s, "{\"name\": \"Tom\", \"kind\": \"cat\"}"));
        assertTrue(accepts(s, "{\"kind\": 12, \"n\": -4, \"name\": \"\"}"));
        assertTrue(accepts(s, "{\"kind\": 1, \"name\": \"é\"}"));
        assertTrue(!accepts(s, "{\"name\": \"Tomas\", \"kind\": \"cat\"}"), "maxLength");
        assertTrue(!accepts(s, "{\"name\": \"Tom\"}"), "required");
        assertTrue(!accepts(s, "{\"name\": \"Tom\", \"kind\": \"cow\"}"), "enum");
        assertTrue(!accepts(s, "{\"name\": \"Tom\", \"kind\": \"cat\", \"n\": 1.5}"), "integer");
        assertTrue(!accepts(s, "{\"name\": \"Tom\", \"kind\": \"cat\", \"x\": 1}"), "additionalProperties false");
        assertTrue(!accepts(s, "{\"name\": \"Tom\", \"kind\": \"cat\",}"), "no comma when no key is left");
        JsonSchema arr = compile("{\"type\": \"array\", \"items\": {\"type\": [\"number\", \"boolean\"]}, \"minItems\": 1, \"maxItems\": 2}");
        assertTrue(accepts(arr, "[1.5, true]"));
        assertTrue(!accepts(arr, "[]"));
        assertTrue(!accepts(arr, "[1, 2, 3]"));
        assertTrue(!accepts(arr, "[\"1\"]"));
    }

    @Test
    void unsupportedKeywordsAreRefusedByPath() throws Exception {
        var e = assertThrows(JsonSchema.UnsupportedSchemaException.class,
                () -> compile("{\"type\": \"object\", \"properties\": {\"a\": {\"$ref\": \"#/$defs/x\"}}}"));
        assertEquals("schema.properties.a.$ref", e.path());
        assertEquals("schema.type", assertThrows(JsonSchema.UnsupportedSchemaException.class,
                () -> compile("{\"type\": \"date\"}")).path());
        assertEquals("schema.minLength", assertThrows(JsonSchema.UnsupportedSchemaException.class,
                () -> compile("{\"type\": \"string\", \"minLength\": -1}")).path());
    }

    @Test
    void theTrieAllowsExactlyTheTokensWhoseTextTheAutomatonTakes() throws Exception {
        Tokenizer tok = TestModels.tokenizer();
        VocabularyTrie trie = new VocabularyTrie(tok);
        JsonSchema bounded = compile("{\"type\": \"object\", \"properties\": {\"s\": {\"type\": \"string\", \"maxLength\": 4}}}");
        List<Object[]> states = List.of(new Object[] {JsonSchema.ANY_OBJECT, ""}, new Object[] {JsonSchema.ANY_OBJECT, "{\"ab"},
                new Object[] {JsonSchema.ANY_OBJECT, "{\"a\": \"x\\"}, new Object[] {JsonSchema.ANY, "[\"\u00e9"},
                new Object[] {JsonSchema.ANY, "[1"}, new Object[] {bounded, "{\"s\": \"ab"}, new Object[] {bounded, "{\"s\": \"abcd"});
        for (Object[] st : states) {
            JsonAutomaton.State s = JsonAutomaton.start((JsonSchema) st[0]).steps(((String) st[1]).getBytes(StandardCharsets.UTF_8));
            BitSet expected = new BitSet();
            for (int t = 0; t < tok.vocabSize(); t++) {
                var type = tok.tokenType(t);
                boolean text = type == org.dsv3.model.tokenizer.TokenType.NORMAL || type == org.dsv3.model.tokenizer.TokenType.BYTE
                        || type == org.dsv3.model.tokenizer.TokenType.UNDEFINED;
                if (text && tok.tokenPiece(t).length > 0 && s.steps(tok.tokenPiece(t)) != null) {
                    expected.set(t);
                }
            }
            assertEquals(expected, trie.allowed(s), "after " + st[1]);
            assertTrue(expected.cardinality() > 0, "after " + st[1]);
        }
    }

    /** Draws tokens under the constraint with random logits (plus {@code favour} on some tokens) until end or {@code max}. */
    static String draw(JsonSchema schema, long seed, int max, int[] favoured, float favour) {
        Tokenizer tok = TestModels.tokenizer();
        VocabularyTrie trie = new VocabularyTrie(tok);
        var session = new JsonConstraint(schema, trie, tok).start();
        Random r = new Random(seed);
        StringBuilder bytes = new StringBuilder();
        List<Byte> out = new ArrayList<>();
        float[] logits = new float[tok.vocabSize()];
        for (int step = 0; step < max; step++) {
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) r.nextGaussian();
            }
            for (int f : favoured) {
                logits[f] += favour;
            }
            session.mask(logits);
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            assertTrue(logits[best] > Float.NEGATIVE_INFINITY, "some token is always allowed");
            if (tok.isEndOfGeneration(best)) {
                byte[] b = new byte[out.size()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = out.get(i);
                }
                return new String(b, StandardCharsets.UTF_8);
            }
            session.accept(best);
            for (byte b : tok.tokenPiece(best)) {
                out.add(b);
            }
        }
        return null;
    }

    @Test
    void tokensDrawnUnderASchemaGiveValidJson() throws Exception {
        String schemaText = "{\"type\": \"object\", \"properties\": {\"name\": {\"type\": \"string\", \"maxLength\": 8},"
                + " \"age\": {\"type\": \"integer\"}, \"tags\": {\"type\": \"array\", \"items\": {\"enum\": [\"red\", \"green\", \"blue\"]},"
                + " \"maxItems\": 3}, \"ok\": {\"type\": \"boolean\"}, \"score\": {\"type\": [\"number\", \"null\"]}},"
                + " \"required\": [\"name\", \"age\", \"tags\", \"ok\"], \"additionalProperties\": false}";
        JsonSchema schema = compile(schemaText);
        Schema validator = SCHEMAS.getSchema(schemaText);
        for (long seed = 1; seed <= 12; seed++) {
            String text = draw(schema, seed, 400, new int[0], 0);
            assertTrue(text != null, "seed " + seed + ": the value should end within 400 tokens");
            JsonNode value = STRICT.readTree(text);
            assertEquals(List.of(), validator.validate(value), "seed " + seed + ": " + text);
        }
    }

    @Test
    void tokensDrawnForJsonObjectGiveAnObject() throws Exception {
        Tokenizer tok = TestModels.tokenizer();
        int[] closers = {tok.tokenId("\""), tok.tokenId("}"), tok.tokenId("]")};
        for (int c : closers) {
            assertTrue(c >= 0);
        }
        int done = 0;
        for (long seed = 1; seed <= 10; seed++) {
            String text = draw(JsonSchema.ANY_OBJECT, seed, 1500, closers, 2.5f);
            if (text != null) {
                assertTrue(STRICT.readTree(text).isObject(), text);
                done++;
            }
        }
        assertTrue(done >= 5, "most draws should finish, " + done + " of 10 did");
    }
}
