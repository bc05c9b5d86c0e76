package org.dsv3.runner.generate.json;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;
import org.dsv3.model.tokenizer.TokenType;
import org.dsv3.model.tokenizer.Tokenizer;

/**
 * The text tokens of a vocabulary in a trie over their bytes, so that the tokens a
 * {@link JsonAutomaton} state allows are found by one walk that steps the automaton once per trie
 * edge: tokens sharing a prefix share its steps, and a prefix the grammar refuses cuts off every
 * token below it. Special tokens (control, user-defined, unused) are left out: they are never JSON text.
 */
public final class VocabularyTrie {
    /** Per node: the bytes of its edges (ascending), the nodes they lead to, the tokens ending there. */
    private final byte[][] labels;
    private final int[][] children;
    private final int[][] tokens;
    private final int vocabSize;
    /** The root of the trie of every text token, and of the tokens that are not plain string text. */
    private final int allRoot;
    private final int specialRoot;
    /**
     * Per token: the characters it adds when written inside a string, from a state between
     * characters, without ending the string or leaving an escape or a UTF-8 sequence open; 0 for
     * tokens that are not such plain string text. Inside a string (most of a JSON answer's tokens)
     * these are allowed by a count alone and only the others need the walk.
     */
    private final int[] plainChars;

    public VocabularyTrie(Tokenizer tokenizer) {
        vocabSize = tokenizer.vocabSize();
        plainChars = new int[vocabSize];
        List<TreeMap<Integer, Integer>> edges = new ArrayList<>();
        List<List<Integer>> ends = new ArrayList<>();
        allRoot = node(edges, ends);
        specialRoot = node(edges, ends);
        JsonAutomaton.State inString = JsonAutomaton.plainString();
        for (int id = 0; id < vocabSize; id++) {
            TokenType t = tokenizer.tokenType(id);
            if (t != TokenType.NORMAL && t != TokenType.BYTE && t != TokenType.UNDEFINED) {
                continue;
            }
            byte[] piece = tokenizer.tokenPiece(id);
            if (piece.length == 0) {
                continue;
            }
            plainChars[id] = JsonAutomaton.plainStringChars(inString.steps(piece));
            insert(edges, ends, allRoot, piece, id);
            if (plainChars[id] == 0) {
                insert(edges, ends, specialRoot, piece, id);
            }
        }
        int n = edges.size();
        labels = new byte[n][];
        children = new int[n][];
        tokens = new int[n][];
        for (int i = 0; i < n; i++) {
            TreeMap<Integer, Integer> e = edges.get(i);
            labels[i] = new byte[e.size()];
            children[i] = new int[e.size()];
            int k = 0;
            for (var entry : e.entrySet()) {
                labels[i][k] = (byte) (int) entry.getKey();
                children[i][k++] = entry.getValue();
            }
            tokens[i] = ends.get(i).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    private static int node(List<TreeMap<Integer, Integer>> edges, List<List<Integer>> ends) {
        edges.add(new TreeMap<>());
        ends.add(new ArrayList<>());
        return edges.size() - 1;
    }

    private static void insert(List<TreeMap<Integer, Integer>> edges, List<List<Integer>> ends, int root, byte[] piece, int id) {
        int node = root;
        for (byte b : piece) {
            Integer next = edges.get(node).get(b & 0xff);
            if (next == null) {
                next = node(edges, ends);
                edges.get(node).put(b & 0xff, next);
            }
            node = next;
        }
        ends.get(node).add(id);
    }

    public int vocabSize() {
        return vocabSize;
    }

    /** The text tokens that {@code state} allows next (whole token text accepted). */
    public BitSet allowed(JsonAutomaton.State state) {
        BitSet out = new BitSet(vocabSize);
        int room = JsonAutomaton.roomInString(state);
        if (room > 0) {
            for (int t = 0; t < vocabSize; t++) {
                int c = plainChars[t];
                if (c > 0 && c <= room) {
                    out.set(t);
                }
            }
            walk(state, specialRoot, out);
        } else {
            walk(state, allRoot, out);
        }
        return out;
    }

    private void walk(JsonAutomaton.State state, int node, BitSet out) {
        for (int t : tokens[node]) {
            out.set(t);
        }
        byte[] l = labels[node];
        int[] c = children[node];
        for (int i = 0; i < l.length; i++) {
            JsonAutomaton.State next = state.step(l[i] & 0xff);
            if (next != null) {
                walk(next, c[i], out);
            }
        }
    }
}
