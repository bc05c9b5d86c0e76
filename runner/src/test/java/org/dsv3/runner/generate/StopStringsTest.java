package org.dsv3.runner.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class StopStringsTest {

    @Test
    void withoutStopsEverythingPassesAtOnce() {
        StopStrings s = new StopStrings(List.of());
        assertEquals("abc", s.push("abc"));
        assertEquals("", s.finish());
        assertFalse(s.matched());
    }

    @Test
    void holdsBackAPossibleStartAndReleasesItWhenItIsNot() {
        StopStrings s = new StopStrings(List.of("END"));
        assertEquals("hello ", s.push("hello E"));
        assertEquals("", s.push("N"));
        assertEquals("ENx", s.push("x"));
        assertFalse(s.matched());
    }

    @Test
    void cutsAtAStopSplitOverPieces() {
        StopStrings s = new StopStrings(List.of("\n\nUser:"));
        assertEquals("answer", s.push("answer\n"));
        assertEquals("", s.push("\nUs"));
        assertEquals("", s.push("er: more"));
        assertTrue(s.matched());
        assertEquals("", s.push("later"));
        assertEquals("", s.finish());
    }

    @Test
    void theEarliestOfSeveralStopsWins() {
        StopStrings s = new StopStrings(List.of("cd", "b"));
        assertEquals("a", s.push("abcd"));
        assertTrue(s.matched());
    }

    @Test
    void finishReleasesAnUnfinishedPrefix() {
        StopStrings s = new StopStrings(List.of("STOP"));
        assertEquals("x", s.push("xST"));
        assertEquals("ST", s.finish());
    }
}
