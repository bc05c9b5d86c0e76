package org.dsv3.runner.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.sampling.SamplerSettings;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.runner.ScriptedBackendProvider;
import org.dsv3.runner.TestModels;
import org.dsv3.runner.load.LoadedModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The generator on the scripted device: exact outputs, so every stopping rule can be checked. */
class GeneratorTest {
    static LoadedModel model;
    static Tokenizer tok;

    @BeforeAll
    static void load() {
        model = TestModels.load("scripted");
        tok = model.tokenizer();
    }

    @AfterAll
    static void close() {
        if (model != null) {
            model.close();
        }
    }

    static GenerationParams greedy(int max, String... stop) {
        return new GenerationParams(SamplerSettings.GREEDY, max, List.of(stop));
    }

    static Generator generator(String text, int ctx) {
        ScriptedBackendProvider.script = tok.encode(text, false, false);
        return new Generator(tok, model.newSession(new SessionOptions(KvCacheType.F32, ctx)), 4);
    }

    static int[] prompt(int n) {
        return IntStream.range(0, n).map(i -> 100 + i).toArray();
    }

    @Test
    void writesTheScriptAndStopsAtTheEndOfGeneration() {
        Generator g = generator("Hello world, this is scripted.", 256);
        List<String> pieces = new ArrayList<>();
        GenerationResult r = g.generate(prompt(10), greedy(0), pieces::add, new Cancellation());
        assertEquals("Hello world, this is scripted.", r.text());
        assertEquals(String.join("", pieces), r.text());
        assertEquals(FinishReason.END_OF_GENERATION, r.finish());
        assertEquals(10, r.stats().promptTokens());
        assertEquals(tok.encode("Hello world, this is scripted.", false, false).length, r.stats().generatedTokens());
        assertTrue(r.stats().firstTokenNanos() > 0);
    }

    @Test
    void stopsAtTheTokenLimit() {
        Generator g = generator("one two three four five six", 256);
        GenerationResult r = g.generate(prompt(3), greedy(2), TextSink.NONE, new Cancellation());
        assertEquals(FinishReason.MAX_TOKENS, r.finish());
        assertEquals(2, r.stats().generatedTokens());
        assertEquals("length", r.finish().openAiName());
    }

    @Test
    void cutsAtAStopStringThatIsNeverStreamed() {
        Generator g = generator("The answer is 42.\nUser: more text", 256);
        StringBuilder streamed = new StringBuilder();
        GenerationResult r = g.generate(prompt(3), greedy(0, "\nUser:"), streamed::append, new Cancellation());
        assertEquals("The answer is 42.", r.text());
        assertEquals("The answer is 42.", streamed.toString());
        assertEquals(FinishReason.STOP_STRING, r.finish());
    }

    @Test
    void saysSoWhenTheContextIsFull() {
        Generator g = generator("a b c d e f g h i j k l m n o p", 12);
        GenerationResult r = g.generate(prompt(8), greedy(0), TextSink.NONE, new Cancellation());
        assertEquals(FinishReason.CONTEXT_FULL, r.finish());
        assertEquals(12, g.session().position());
        assertEquals(5, r.stats().generatedTokens(), "4 tokens fed after the prompt, the 5th sampled when the cache is full");
    }

    @Test
    void refusesAPromptLongerThanTheContext() {
        Generator g = generator("x", 8);
        ContextOverflowException e = assertThrows(ContextOverflowException.class,
                () -> g.generate(prompt(9), greedy(0), TextSink.NONE, new Cancellation()));
        assertEquals(9, e.promptTokens());
        assertEquals(8, e.maxContext());
    }

    @Test
    void stopsWhenCancelledBetweenTokens() {
        Generator g = generator("one two three four five six seven eight", 256);
        Cancellation cancel = new Cancellation();
        List<String> pieces = new ArrayList<>();
        GenerationResult r = g.generate(prompt(3), greedy(0), p -> {
            pieces.add(p);
            if (pieces.size() == 2) {
                cancel.cancel();
            }
        }, cancel);
        assertEquals(FinishReason.CANCELLED, r.finish());
        assertEquals(2, r.stats().generatedTokens());
    }

    @Test
    void streamsWholeCharactersOnly() {
        String text = "naïve café — 深度求索 😀🚀";
        int[] ids = tok.encode(text, false, false);
        assertTrue(ids.length > text.codePointCount(0, text.length()) / 2);
        Generator g = generator(text, 256);
        List<String> pieces = new ArrayList<>();
        GenerationResult r = g.generate(prompt(3), greedy(0), pieces::add, new Cancellation());
        assertEquals(text, r.text());
        for (String p : pieces) {
            assertFalse(p.contains("\uFFFD"), "a piece with a broken character: " + p);
            assertFalse(Character.isHighSurrogate(p.charAt(p.length() - 1)), "a piece ends inside a surrogate pair");
        }
    }

    @Test
    void processesTheNewPartOfAnExtendedPromptOnly() {
        Generator g = generator("ok", 256);
        ScriptedBackendProvider.fed.clear();
        int[] first = prompt(10);
        GenerationResult a = g.generate(first, greedy(0), TextSink.NONE, new Cancellation());
        assertEquals(0, a.stats().cachedTokens());
        int[] second = IntStream.concat(IntStream.of(first), IntStream.of(tok.encode("ok", false, false)))
                .toArray();
        second = IntStream.concat(IntStream.of(second), IntStream.of(200, 201, 202)).toArray();
        ScriptedBackendProvider.fed.clear();
        GenerationResult b = g.generate(second, greedy(0), TextSink.NONE, new Cancellation());
        assertEquals(second.length - 3, b.stats().cachedTokens(), "the first prompt and the answer fed back are reused");
        assertArrayEquals(new int[] {200, 201, 202}, ScriptedBackendProvider.fed.getFirst());
    }

    @Test
    void theSameSeedGivesTheSameSampledOutputOnTheRealModel() {
        try (LoadedModel real = TestModels.loadTiny()) {
            SamplerSettings s = new SamplerSettings(1.0f, 40, 0.95f, 0.0f, 1.1f, 64, 1234);
            String[] out = new String[2];
            for (int i = 0; i < 2; i++) {
                Generator g = new Generator(real.tokenizer(), real.newSession(new SessionOptions(KvCacheType.F16, 128)));
                out[i] = g.generate(prompt(5), new GenerationParams(s, 12, List.of()), TextSink.NONE, new Cancellation()).text();
            }
            assertEquals(out[0], out[1]);
            assertFalse(out[0].isEmpty());
        }
    }
}
