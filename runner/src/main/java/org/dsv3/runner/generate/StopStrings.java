package org.dsv3.runner.generate;

import java.util.List;

/**
 * Watches streamed text for stop strings. Text that could be the start of a stop string is held
 * back until it is clear either way, so nothing of a stop string is ever released.
 */
final class StopStrings {
    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean matched;

    StopStrings(List<String> stops) {
        this.stops = stops;
    }

    /** The text that can be released now; after a match, the text before it, and then nothing. */
    String push(String text) {
        if (matched) {
            return "";
        }
        held.append(text);
        if (stops.isEmpty()) {
            return take(held.length());
        }
        int first = -1;
        for (String s : stops) {
            int at = held.indexOf(s);
            if (at >= 0 && (first < 0 || at < first)) {
                first = at;
            }
        }
        if (first >= 0) {
            matched = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return out;
        }
        int keep = 0;
        for (String s : stops) {
            keep = Math.max(keep, partialSuffix(held, s));
        }
        return take(held.length() - keep);
    }

    /** Whether a stop string appeared. */
    boolean matched() {
        return matched;
    }

    /** The text still held back (the generation ended without completing a stop string). */
    String finish() {
        return take(held.length());
    }

    private String take(int n) {
        String out = held.substring(0, n);
        held.delete(0, n);
        return out;
    }

    /** Length of the longest suffix of {@code s} that is a proper prefix of {@code stop}. */
    private static int partialSuffix(CharSequence s, String stop) {
        for (int k = Math.min(stop.length() - 1, s.length()); k > 0; k--) {
            if (stop.regionMatches(0, s.toString(), s.length() - k, k)) {
                return k;
            }
        }
        return 0;
    }
}
