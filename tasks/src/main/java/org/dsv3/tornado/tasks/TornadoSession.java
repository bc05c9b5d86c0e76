package org.dsv3.tornado.tasks;

import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SequencePosition;

/**
 * One sequence on the device. A call of more than one token runs batched ({@link PrefillGraphs}, in chunks
 * of the plan's batch size) when the plan has the prefill graphs, else token by token through the decode
 * graphs; the output head runs only for the positions whose logits are wanted.
 */
final class TornadoSession implements InferenceSession {
    private final TornadoBackend backend;
    private final DecodePlan plan;
    private final int vocab;
    private final SequencePosition seq;

    TornadoSession(TornadoBackend backend, DecodePlan plan, int maxContext) {
        this.backend = backend;
        this.plan = plan;
        this.vocab = plan.config.vocabSize();
        this.seq = new SequencePosition(maxContext, vocab);
    }

    @Override
    public int position() {
        return seq.position();
    }

    @Override
    public int maxContext() {
        return seq.maxContext();
    }

    @Override
    public float[] forward(int[] tokens, Logits which) {
        seq.checkForward(tokens);
        int rows = which == Logits.ALL_POSITIONS ? tokens.length : 1;
        float[] out = new float[rows * vocab];
        if (tokens.length > 1 && plan.batched()) {
            for (int from = 0; from < tokens.length; from += plan.batchTokens()) {
                int n = Math.min(plan.batchTokens(), tokens.length - from);
                plan.prefill(tokens, from, n, seq.position());
                seq.advance(n);
                for (int t = 0; t < n; t++) {
                    if (which == Logits.ALL_POSITIONS || from + t == tokens.length - 1) {
                        System.arraycopy(plan.prefillLogits(t), 0, out, (rows == 1 ? 0 : from + t) * vocab, vocab);
                    }
                }
            }
            return out;
        }
        for (int i = 0; i < tokens.length; i++) {
            boolean wanted = which == Logits.ALL_POSITIONS || i == tokens.length - 1;
            if (wanted) {
                float[] l = plan.stepLogits(tokens[i], seq.position());
                System.arraycopy(l, 0, out, (rows == 1 ? 0 : i) * vocab, vocab);
            } else {
                plan.step(tokens[i], seq.position(), false);
            }
            seq.advance(1);
        }
        return out;
    }

    @Override
    public int forwardArgmax(int[] tokens) {
        seq.checkForward(tokens);
        int id = -1;
        if (tokens.length > 1 && plan.batched()) {
            for (int from = 0; from < tokens.length; from += plan.batchTokens()) {
                int n = Math.min(plan.batchTokens(), tokens.length - from);
                plan.prefill(tokens, from, n, seq.position());
                seq.advance(n);
                if (from + n == tokens.length) {
                    id = plan.prefillArgmax(n - 1);
                }
            }
            return id;
        }
        for (int i = 0; i < tokens.length; i++) {
            id = plan.step(tokens[i], seq.position(), i == tokens.length - 1);
            seq.advance(1);
        }
        return id;
    }

    @Override
    public void reset() {
        seq.reset();
    }

    @Override
    public void truncate(int position) {
        seq.truncate(position);
    }

    @Override
    public void close() {
        backend.sessionClosed(this);
    }
}
