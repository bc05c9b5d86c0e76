package org.dsv3.model.tokenizer;

import java.util.Arrays;

/** A growable list of ints, to collect token ids without boxing. */
final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
        a = new int[Math.max(4, capacity)];
    }

    void add(int v) {
        if (n == a.length) {
            a = Arrays.copyOf(a, a.length * 2);
        }
        a[n++] = v;
    }

    void addAll(int[] v) {
        if (n + v.length > a.length) {
            a = Arrays.copyOf(a, Math.max(a.length * 2, n + v.length));
        }
        System.arraycopy(v, 0, a, n, v.length);
        n += v.length;
    }

    int size() {
        return n;
    }

    int[] toArray() {
        return Arrays.copyOf(a, n);
    }
}
