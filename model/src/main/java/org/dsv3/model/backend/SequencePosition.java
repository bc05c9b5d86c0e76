package org.dsv3.model.backend;

/**
 * The bookkeeping every {@link InferenceSession} keeps, written once: the position of the next token
 * within the session's context, and the checks (with their messages) on what may run next. A backend's
 * session asks {@link #checkForward} before computing and {@link #advance}s after.
 */
public final class SequencePosition {
    private final int maxContext;
    private final int vocab;
    private int position;

    /**
     * @param maxContext the most positions the session holds ({@link SessionOptions#contextLength})
     * @param vocab      token ids run are {@code 0 … vocab-1}
     */
    public SequencePosition(int maxContext, int vocab) {
        if (maxContext < 1) {
            throw new IllegalArgumentException("a session needs a context of at least one position, got " + maxContext);
        }
        this.maxContext = maxContext;
        this.vocab = vocab;
    }

    public int position() {
        return position;
    }

    public int maxContext() {
        return maxContext;
    }

    /**
     * Checks that {@code tokens} may run at the current position.
     *
     * @throws IllegalArgumentException when there are none, they overflow the context, or an id is outside the vocabulary
     */
    public void checkForward(int[] tokens) {
        if (tokens.length == 0) {
            throw new IllegalArgumentException("no tokens to run");
        }
        if ((long) position + tokens.length > maxContext) {
            throw new IllegalArgumentException("context full: " + position + " + " + tokens.length
                    + " tokens exceed the limit of " + maxContext);
        }
        for (int t : tokens) {
            if (t < 0 || t >= vocab) {
                throw new IllegalArgumentException("token id " + t + " is outside the vocabulary (0…" + (vocab - 1) + ")");
            }
        }
    }

    /** Records that {@code tokens} more positions are in the cache. */
    public void advance(int tokens) {
        if (tokens < 0 || (long) position + tokens > maxContext) {
            throw new IllegalStateException("cannot advance " + position + " by " + tokens + " in a context of " + maxContext);
        }
        position += tokens;
    }

    public void reset() {
        position = 0;
    }

    /**
     * Keeps only the first {@code newPosition} tokens.
     *
     * @throws IllegalArgumentException unless {@code 0 ≤ newPosition ≤ position()}
     */
    public void truncate(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new IllegalArgumentException("cannot truncate to " + newPosition + " (position " + position + ")");
        }
        position = newPosition;
    }
}
