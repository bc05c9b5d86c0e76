package org.dsv3.runner;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.DeviceInfo;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.config.CheckedModel;
import org.dsv3.model.config.DeepSeekConfig;

/**
 * A test device ({@code --device scripted}) whose "model" writes a fixed token sequence: after any
 * prompt it predicts {@link #script}'s first token, after being fed that one the second, and so on,
 * then the end-of-sequence token. Lets tests drive the generator, reasoning split, stop strings and
 * the server through exact outputs. Every forward step is recorded in {@link #fed}.
 */
public final class ScriptedBackendProvider implements BackendProvider {
    /** What sessions created from now on will generate. */
    public static volatile int[] script = new int[0];
    /** The token ids passed to forward, one entry per call, for all scripted sessions. */
    public static final List<int[]> fed = Collections.synchronizedList(new ArrayList<>());
    /** When set, every forward step waits until it is counted down (a slow device, for the server's warm-up). */
    public static volatile java.util.concurrent.CountDownLatch hold;
    /** Milliseconds every forward step takes (a steady, slow stream that a test can interrupt); 0 = at once. */
    public static volatile long stepMillis;

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public List<DeviceInfo> describeDevices() {
        return List.of(new DeviceInfo("scripted:0", "Scripted test device", "writes a fixed text"));
    }

    @Override
    public InferenceBackend load(CheckedModel model, BackendOptions options) {
        DeepSeekConfig config = model.config();
        int eos = (int) model.file().metadata().getLong("tokenizer.ggml.eos_token_id");
        return new InferenceBackend() {
            @Override
            public DeepSeekConfig config() {
                return config;
            }

            @Override
            public String device() {
                return "scripted";
            }

            @Override
            public InferenceSession newSession(SessionOptions o) {
                int max = o.contextLength(config);
                return new Session(script.clone(), config.vocabSize(), eos, max);
            }

            @Override
            public void close() {
            }
        };
    }

    /** Predicts script[matched], where matched counts the script tokens fed back one by one since the last prompt. */
    static final class Session implements InferenceSession {
        private final int[] script;
        private final int vocab;
        private final int eos;
        private final int max;
        private int position;
        private int matched;

        Session(int[] script, int vocab, int eos, int max) {
            this.script = script;
            this.vocab = vocab;
            this.eos = eos;
            this.max = max;
        }

        @Override
        public int position() {
            return position;
        }

        @Override
        public int maxContext() {
            return max;
        }

        @Override
        public float[] forward(int[] tokens, Logits which) {
            long pause = stepMillis;
            if (pause > 0) {
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            java.util.concurrent.CountDownLatch h = hold;
            if (h != null) {
                try {
                    h.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (position + tokens.length > max) {
                throw new IllegalArgumentException("context full");
            }
            fed.add(tokens.clone());
            position += tokens.length;
            if (tokens.length == 1 && matched < script.length && tokens[0] == script[matched]) {
                matched++;
            } else {
                matched = 0;
            }
            float[] logits = new float[vocab];
            logits[matched < script.length ? script[matched] : eos] = 50f;
            return which == Logits.LAST_POSITION ? logits : Arrays.copyOf(logits, vocab * tokens.length);
        }

        @Override
        public void reset() {
            position = 0;
            matched = 0;
        }

        @Override
        public void truncate(int p) {
            position = p;
            matched = 0;
        }

        @Override
        public void close() {
        }
    }
}
