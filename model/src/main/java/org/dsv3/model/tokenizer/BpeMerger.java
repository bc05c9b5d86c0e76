package org.dsv3.model.tokenizer;

import java.util.Arrays;
import java.util.Map;

/**
 * Byte-pair merging of one pre-tokenized piece: starting from one symbol per byte, repeatedly
 * merges the adjacent pair of lowest merge rank (the leftmost one among equal ranks) until no
 * adjacent pair has a merge. Symbols form a doubly linked list over an array; candidate pairs sit
 * in a binary min-heap keyed by (rank, left position) and are checked when popped, so a piece of
 * n bytes costs O(n log n).
 */
final class BpeMerger {
    /** Open-addressing map (left id, right id) -> (rank, merged id). */
    private final long[] keys;
    private final int[] ranks;
    private final int[] merged;
    private final int mask;
    private final int[] byteToken;

    /**
     * @param merges     {@code tokenizer.ggml.merges}: "left right", in rank order
     * @param ids        token text -> id
     * @param byteToken  the token of each single byte, -1 where the vocabulary lacks it
     */
    BpeMerger(String[] merges, Map<String, Integer> ids, int[] byteToken) {
        this.byteToken = byteToken;
        int cap = Integer.highestOneBit(Math.max(16, merges.length * 2 + 1)) << 1;
        keys = new long[cap];
        Arrays.fill(keys, -1L);
        ranks = new int[cap];
        merged = new int[cap];
        mask = cap - 1;
        for (int rank = 0; rank < merges.length; rank++) {
            String m = merges[rank];
            int sp = m.indexOf(' ', 1);
            if (sp < 0) {
                throw new UnsupportedTokenizerException("tokenizer.ggml.merges[" + rank + "] = '" + m
                        + "' is not of the form 'left right'");
            }
            Integer l = ids.get(m.substring(0, sp));
            Integer r = ids.get(m.substring(sp + 1));
            Integer lr = ids.get(m.substring(0, sp) + m.substring(sp + 1));
            if (l == null || r == null || lr == null) {
                continue; // a merge whose parts or result are not tokens can never apply
            }
            long key = key(l, r);
            int slot = slot(key);
            if (keys[slot] == -1L) { // the first (lowest-rank) occurrence of a pair wins
                keys[slot] = key;
                ranks[slot] = rank;
                merged[slot] = lr;
            }
        }
    }

    private static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        int h = (int) (key ^ (key >>> 29) ^ (key >>> 41)) * 0x9E3779B9;
        int i = (h ^ (h >>> 15)) & mask;
        while (keys[i] != -1L && keys[i] != key) {
            i = (i + 1) & mask;
        }
        return i;
    }

    /** The slot of the pair's merge, or -1 if the pair has none. */
    private int find(int left, int right) {
        int s = slot(key(left, right));
        return keys[s] == -1L ? -1 : s;
    }

    /** The tokens of one piece, given as UTF-8 bytes {@code b[0, n)}. */
    int[] encode(byte[] b, int n) {
        int[] id = new int[n];
        int count = 0;
        for (int i = 0; i < n; i++) {
            int t = byteToken[b[i] & 0xFF];
            if (t >= 0) { // a byte the vocabulary cannot spell is dropped (no byte-level vocab lacks one)
                id[count++] = t;
            }
        }
        if (count <= 1) {
            return Arrays.copyOf(id, count);
        }
        int[] prev = new int[count];
        int[] next = new int[count];
        for (int i = 0; i < count; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }
        long[] heap = new long[count];
        int size = 0;
        for (int i = 0; i + 1 < count; i++) {
            int s = find(id[i], id[i + 1]);
            if (s >= 0) {
                heap[size++] = ((long) ranks[s] << 32) | i;
            }
        }
        for (int i = size / 2 - 1; i >= 0; i--) {
            siftDown(heap, size, i);
        }
        int alive = count;
        while (size > 0) {
            long top = heap[0];
            heap[0] = heap[--size];
            siftDown(heap, size, 0);
            int rank = (int) (top >>> 32);
            int left = (int) top;
            int right = next[left];
            if (id[left] < 0 || right < 0) {
                continue;
            }
            int s = find(id[left], id[right]);
            if (s < 0 || ranks[s] != rank) {
                continue; // stale: one of the two symbols has been merged since this entry was queued
            }
            id[left] = merged[s];
            id[right] = -1;
            alive--;
            int after = next[right];
            next[left] = after;
            if (after >= 0) {
                prev[after] = left;
            }
            int before = prev[left];
            if (before >= 0) {
                int t = find(id[before], id[left]);
                if (t >= 0) {
                    heap = push(heap, size++, ((long) ranks[t] << 32) | before);
                }
            }
            if (after >= 0) {
                int t = find(id[left], id[after]);
                if (t >= 0) {
                    heap = push(heap, size++, ((long) ranks[t] << 32) | left);
                }
            }
        }
        int[] out = new int[alive];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            out[k++] = id[i];
        }
        return out;
    }

    private static long[] push(long[] heap, int size, long v) {
        if (size == heap.length) {
            heap = Arrays.copyOf(heap, heap.length * 2 + 1);
        }
        int i = size;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= v) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = v;
        return heap;
    }

    private static void siftDown(long[] heap, int size, int i) {
        long v = heap[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) {
                break;
            }
            if (c + 1 < size && heap[c + 1] < heap[c]) {
                c++;
            }
            if (heap[c] >= v) {
                break;
            }
            heap[i] = heap[c];
            i = c;
        }
        heap[i] = v;
    }
}
