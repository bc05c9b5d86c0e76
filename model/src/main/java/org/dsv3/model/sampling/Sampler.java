package org.dsv3.model.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits according to {@link SamplerSettings}. Not thread-safe:
 * one sampler per generation (it owns the random stream and the recent-token window).
 */
public final class Sampler {
    private final SamplerSettings settings;
    private final SplittableRandom random;
    private final int[] recent;
    private int recentCount;
    private int recentNext;

    public Sampler(SamplerSettings settings) {
        this.settings = settings;
        this.random = new SplittableRandom(settings.seed());
        this.recent = new int[settings.repeatLastN()];
    }

    /** Remembers a token (prompt or generated) for the repetition penalty. */
    public void accept(int token) {
        if (recent.length == 0) {
            return;
        }
        recent[recentNext] = token;
        recentNext = (recentNext + 1) % recent.length;
        recentCount = Math.min(recentCount + 1, recent.length);
    }

    /** Chooses a token; {@code logits} is modified (penalties applied). */
    public int sample(float[] logits) {
        applyRepeatPenalty(logits);
        if (settings.greedy()) {
            return argmax(logits);
        }
        int n = logits.length;
        // Sort candidates by logit, best first (only as many as needed when top-k is set).
        int keep = settings.topK() > 0 ? Math.min(settings.topK(), n) : n;
        int[] cand = topIndices(logits, keep);
        // softmax over the candidates with the temperature applied last (it does not change the order)
        double max = logits[cand[0]];
        double[] p = new double[cand.length];
        double sum = 0;
        for (int i = 0; i < cand.length; i++) {
            p[i] = Math.exp((logits[cand[i]] - max) / settings.temperature());
            sum += p[i];
        }
        // top-p and min-p are judged on the probabilities at temperature 1 in llama.cpp; for
        // simplicity and determinism we judge them on the tempered distribution, as Hugging Face does.
        int cut = cand.length;
        if (settings.topP() < 1f) {
            double acc = 0;
            for (int i = 0; i < cand.length; i++) {
                acc += p[i] / sum;
                if (acc >= settings.topP()) {
                    cut = i + 1;
                    break;
                }
            }
        }
        if (settings.minP() > 0f) {
            double threshold = settings.minP() * p[0];
            int c = 1;
            while (c < cut && p[c] >= threshold) {
                c++;
            }
            cut = c;
        }
        double total = 0;
        for (int i = 0; i < cut; i++) {
            total += p[i];
        }
        double r = random.nextDouble() * total;
        for (int i = 0; i < cut; i++) {
            r -= p[i];
            if (r < 0) {
                return cand[i];
            }
        }
        return cand[cut - 1];
    }

    private void applyRepeatPenalty(float[] logits) {
        float penalty = settings.repeatPenalty();
        if (penalty == 1f || recentCount == 0) {
            return;
        }
        int[] seen = Arrays.copyOf(recent, recentCount);
        Arrays.sort(seen);
        for (int i = 0; i < seen.length; i++) {
            if (i > 0 && seen[i] == seen[i - 1]) {
                continue; // each token penalised once, however often it occurred
            }
            int t = seen[i];
            if (t >= 0 && t < logits.length) {
                logits[t] = logits[t] > 0 ? logits[t] / penalty : logits[t] * penalty;
            }
        }
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Indices of the {@code k} largest logits, largest first; ties broken by the lower index. */
    static int[] topIndices(float[] logits, int k) {
        int n = logits.length;
        if (k >= n / 4) {
            Integer[] all = new Integer[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            Arrays.sort(all, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
            int[] out = new int[k];
            for (int i = 0; i < k; i++) {
                out[i] = all[i];
            }
            return out;
        }
        // small k: a min-heap of size k
        int[] heap = new int[k];
        int size = 0;
        for (int i = 0; i < n; i++) {
            if (size < k) {
                heap[size++] = i;
                siftUp(heap, size - 1, logits);
            } else if (better(i, heap[0], logits)) {
                heap[0] = i;
                siftDown(heap, size, logits);
            }
        }
        Integer[] boxed = new Integer[k];
        for (int i = 0; i < k; i++) {
            boxed[i] = heap[i];
        }
        Arrays.sort(boxed, (a, b) -> better(a, b, logits) ? -1 : 1);
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = boxed[i];
        }
        return out;
    }

    private static boolean better(int a, int b, float[] l) {
        return l[a] > l[b] || (l[a] == l[b] && a < b);
    }

    private static void siftUp(int[] h, int i, float[] l) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (better(h[parent], h[i], l)) {
                int t = h[parent];
                h[parent] = h[i];
                h[i] = t;
                i = parent;
            } else {
                return;
            }
        }
    }

    private static void siftDown(int[] h, int size, float[] l) {
        int i = 0;
        while (true) {
            int a = 2 * i + 1;
            int b = a + 1;
            int worst = i;
            if (a < size && better(h[worst], h[a], l)) {
                worst = a;
            }
            if (b < size && better(h[worst], h[b], l)) {
                worst = b;
            }
            if (worst == i) {
                return;
            }
            int t = h[worst];
            h[worst] = h[i];
            h[i] = t;
            i = worst;
        }
    }
}
