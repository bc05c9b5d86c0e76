package org.dsv3.tornado.tasks;

import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;

/**
 * One sequence on the device. Tokens run one at a time through the decode graphs (prompt processing
 * too, for now); the output head runs only for the positions whose logits are wanted.
 */
final class TornadoSession implements InferenceSession {
    private final TornadoBackend backend;
    private final DecodePlan plan;
    private final int maxContext;
    private final int vocab;
    private int position;

    TornadoSession(TornadoBackend backend, DecodePlan plan, int maxContext) {
        this.backend = backend;
        this.plan = plan;
        this.maxContext = maxContext;
        this.vocab = plan.config.vocabSize();
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int maxContext() {
        return maxContext;
    }

    private void check(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to run");
        }
        if (position + tokens.length > maxContext) {
            throw new IllegalArgumentException("context overflow: " + position + " + " + tokens.length + " tokens > "
                    + maxContext);
        }
        for (int t : tokens) {
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary (0…" + (vocab - 1) + ")");
            }
        }
    }

    @Override
    public float[] forward(int[] tokens, Logits which) {
        check(tokens);
        int rows = which == Logits.ALL_POSITIONS ? tokens.length : 1;
        float[] out = new float[rows * vocab];
        for (int i = 0; i < tokens.length; i++) {
            boolean wanted = which == Logits.ALL_POSITIONS || i == tokens.length - 1;
            if (wanted) {
                float[] l = plan.stepLogits(tokens[i], position);
                System.arraycopy(l, 0, out, (rows == 1 ? 0 : i) * vocab, vocab);
            } else {
                plan.step(tokens[i], position, false);
            }
            position++;
        }
        return out;
    }

    @Override
    public int forwardArgmax(int[] tokens) {
        check(tokens);
        int id = -1;
        for (int i = 0; i < tokens.length; i++) {
            id = plan.step(tokens[i], position, i == tokens.length - 1);
            position++;
        }
        return id;
    }

    @Override
    public void reset() {
        position = 0;
    }

    @Override
    public void truncate(int position) {
        if (position < 0 || position > this.position) {
            throw new IllegalArgumentException("cannot truncate to " + position + " (at " + this.position + ")");
        }
        this.position = position;
    }

    @Override
    public void close() {
        backend.sessionClosed(this);
    }
}
