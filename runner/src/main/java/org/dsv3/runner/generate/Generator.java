package org.dsv3.runner.generate;

import java.util.Arrays;
import org.dsv3.model.sampling.Sampler;
import org.dsv3.model.tokenizer.StreamingDecoder;
import org.dsv3.model.tokenizer.Tokenizer;

/**
 * Generates text on one session: processes the prompt in chunks (reusing whatever prefix of it the
 * cache already holds), then samples token by token and streams the text, UTF-8 safe and with stop
 * strings cut, to a {@link TextSink}. It ends at an end-of-generation token, a stop string, the
 * token limit, a full context or a cancellation, whichever comes first. Not thread-safe: one
 * generation at a time per generator.
 */
public final class Generator {
    /** Tokens per forward step while processing a prompt. */
    public static final int DEFAULT_PREFILL_CHUNK = 512;
    /** Tokens per forward step when every prompt position's logits are wanted ({@link TokenObserver#wantsPromptLogits}). */
    static final int PROMPT_LOGITS_CHUNK = 64;

    private final Tokenizer tokenizer;
    private final CachedSession session;
    private final int prefillChunk;

    public Generator(Tokenizer tokenizer, CachedSession session, int prefillChunk) {
        if (prefillChunk < 1) {
            throw new IllegalArgumentException("prefill chunk must be >= 1, got " + prefillChunk);
        }
        this.tokenizer = tokenizer;
        this.session = session;
        this.prefillChunk = prefillChunk;
    }

    public Generator(Tokenizer tokenizer, CachedSession session) {
        this(tokenizer, session, DEFAULT_PREFILL_CHUNK);
    }

    public CachedSession session() {
        return session;
    }

    /**
     * Generates a continuation of {@code prompt}.
     *
     * @throws ContextOverflowException when the prompt alone does not fit in the context
     * @throws IllegalArgumentException when the prompt is empty
     */
    public GenerationResult generate(int[] prompt, GenerationParams params, TextSink sink, Cancellation cancel) {
        return generate(prompt, params, sink, cancel, TokenObserver.NONE);
    }

    /** The same, with {@code observer} shown the logits of every generated token (and of the prompt, when it asks). */
    public GenerationResult generate(int[] prompt, GenerationParams params, TextSink sink, Cancellation cancel,
                                     TokenObserver observer) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        int max = session.maxContext();
        if (prompt.length > max) {
            throw new ContextOverflowException(prompt.length, max);
        }
        long start = System.nanoTime();
        Sampler sampler = new Sampler(params.sampler());
        for (int t : prompt) {
            sampler.accept(t);
        }
        boolean promptRows = observer.wantsPromptLogits();
        if (promptRows) {
            session.reset(); // every position's logits are wanted: nothing may come from the cache
        }
        int cached = session.keepCommonPrefix(prompt);
        float[] logits = null;
        // every position's row is [vocab] floats (half a MiB for DeepSeek-V3): smaller steps keep that in bounds
        int step = promptRows ? Math.min(prefillChunk, PROMPT_LOGITS_CHUNK) : prefillChunk;
        for (int from = cached; from < prompt.length; from += step) {
            if (cancel.isCancelled()) {
                long now = System.nanoTime();
                return new GenerationResult("", FinishReason.CANCELLED,
                        new GenerationStats(prompt.length, cached, now - start, 0, 0, 0));
            }
            int[] chunk = Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + step));
            logits = promptRows ? promptChunk(chunk, from, prompt, observer) : session.forward(chunk);
        }
        requireFinite(logits, prompt.length);
        long promptEnd = System.nanoTime();
        return decode(logits, prompt.length, cached, start, promptEnd, params, sink, cancel, sampler, observer);
    }

    /** Runs a prompt chunk with every position's logits, shows them to {@code observer}, returns the last row. */
    private float[] promptChunk(int[] chunk, int from, int[] prompt, TokenObserver observer) {
        float[] all = session.forwardAll(chunk);
        int vocab = all.length / chunk.length;
        float[] row = new float[vocab];
        for (int i = 0; i < chunk.length; i++) {
            System.arraycopy(all, i * vocab, row, 0, vocab);
            int position = from + i;
            if (position + 1 < prompt.length) {
                requireFinite(row, position + 1);
                observer.prompt(position, row, prompt[position + 1]);
            }
        }
        return row;
    }

    private GenerationResult decode(float[] logits, int promptTokens, int cached, long start, long promptEnd,
                                    GenerationParams params, TextSink sink, Cancellation cancel, Sampler sampler,
                                    TokenObserver observer) {
        StreamingDecoder decoder = tokenizer.streamingDecoder();
        StopStrings stops = new StopStrings(params.stop());
        StringBuilder text = new StringBuilder();
        int generated = 0;
        long firstToken = 0;
        LogitAdjustments.Tracker adjust = params.logits().start();
        TokenConstraint.Session guide = params.constraint() == null ? null : params.constraint().start();
        FinishReason finish;
        while (true) {
            if (cancel.isCancelled()) {
                finish = FinishReason.CANCELLED;
                break;
            }
            adjust.apply(logits);
            if (guide != null) {
                guide.mask(logits);
            }
            int token = sampler.sample(logits); // leaves the repetition penalty applied in the row
            sampler.accept(token);
            adjust.generated(token);
            if (firstToken == 0) {
                firstToken = System.nanoTime() - start;
            }
            if (tokenizer.isEndOfGeneration(token)) {
                finish = FinishReason.END_OF_GENERATION;
                break;
            }
            generated++;
            observer.sampled(token, logits);
            if (guide != null) {
                guide.accept(token);
            }
            emit(stops.push(decoder.push(token)), text, sink);
            if (stops.matched()) {
                finish = FinishReason.STOP_STRING;
                break;
            }
            if (params.maxTokens() > 0 && generated >= params.maxTokens()) {
                finish = FinishReason.MAX_TOKENS;
                break;
            }
            if (session.position() >= session.maxContext()) {
                finish = FinishReason.CONTEXT_FULL;
                break;
            }
            logits = session.forward(new int[] {token});
            requireFinite(logits, session.position());
        }
        if (!stops.matched()) {
            emit(stops.push(decoder.flush()), text, sink);
            emit(stops.finish(), text, sink);
        }
        long end = System.nanoTime();
        GenerationStats stats = new GenerationStats(promptTokens, cached, promptEnd - start, generated, end - promptEnd,
                firstToken);
        return new GenerationResult(text.toString(), finish, stats);
    }

    /**
     * Stops a generation whose logits are not all finite numbers (broken weights or hyperparameters):
     * sampling from NaN would only write garbage tokens.
     */
    private static void requireFinite(float[] logits, int position) {
        for (int i = 0; i < logits.length; i++) {
            if (!Float.isFinite(logits[i])) {
                throw new NonFiniteLogitsException(position, i, logits[i]);
            }
        }
    }

    private static void emit(String piece, StringBuilder text, TextSink sink) {
        if (!piece.isEmpty()) {
            text.append(piece);
            sink.text(piece);
        }
    }
}
