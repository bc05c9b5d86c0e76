package org.dsv3.model.tokenizer;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Finds control and user-defined tokens in raw text, leftmost-longest, before any
 * pre-tokenization: a trie over UTF-16 units. User-defined tokens are always eligible, control
 * tokens only when special parsing is on.
 */
final class SpecialTokenMatcher {
    private static final class Node {
        final Map<Character, Node> children = new HashMap<>(2);
        int userDefined = -1;
        int control = -1;
    }

    private final Node root = new Node();
    private final BitSet firstOfUserDefined = new BitSet();
    private final BitSet firstOfAny = new BitSet();

    /** Adds a token; {@code control} says whether it needs special parsing to be matched. */
    void add(String text, int id, boolean control) {
        if (text.isEmpty()) {
            return;
        }
        Node n = root;
        for (int i = 0; i < text.length(); i++) {
            n = n.children.computeIfAbsent(text.charAt(i), c -> new Node());
        }
        if (control) {
            if (n.control < 0) {
                n.control = id;
            }
        } else {
            if (n.userDefined < 0) {
                n.userDefined = id;
            }
            firstOfUserDefined.set(text.charAt(0));
        }
        firstOfAny.set(text.charAt(0));
    }

    /**
     * The leftmost-longest special token in {@code text[from, end)} as {@code (start << 32) | id},
     * its length (in UTF-16 units) stored in {@code len[0]}; -1 if there is none.
     */
    long find(String text, int from, int end, boolean parseSpecial, int[] len) {
        BitSet first = parseSpecial ? firstOfAny : firstOfUserDefined;
        for (int i = first.nextSetBit(0) < 0 ? end : from; i < end; i++) {
            if (!first.get(text.charAt(i))) {
                continue;
            }
            Node n = root;
            int bestId = -1;
            int bestLen = 0;
            for (int k = i; k < end; k++) {
                n = n.children.get(text.charAt(k));
                if (n == null) {
                    break;
                }
                int id = n.userDefined;
                if (parseSpecial && n.control >= 0 && (id < 0 || n.control < id)) {
                    id = n.control;
                }
                if (id >= 0) {
                    bestId = id;
                    bestLen = k + 1 - i;
                }
            }
            if (bestId >= 0) {
                len[0] = bestLen;
                return ((long) i << 32) | bestId;
            }
        }
        return -1;
    }
}
