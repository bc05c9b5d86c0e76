package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The 8-bit inputs are the default only where the plan says so (dp4a), an explicit choice always wins, a bad one
 * is refused naming the property; PTX becomes TornadoVM's default backend only when nobody chose and both the PTX
 * backend and a CUDA driver are present.
 */
class Int8DefaultTest {

    @Test
    void unsetTakesThePlansDefaultAnExplicitChoiceWins() {
        assertEquals(Int8Ffn.ALL, Int8Ffn.parse(null, Int8Ffn.ALL));
        assertEquals(Int8Ffn.OFF, Int8Ffn.parse(null, Int8Ffn.OFF));
        assertEquals(Int8Ffn.OFF, Int8Ffn.parse("  ", Int8Ffn.OFF));
        assertEquals(Int8Ffn.OFF, Int8Ffn.parse("false", Int8Ffn.ALL));
        assertEquals(Int8Ffn.OFF, Int8Ffn.parse(" FALSE ", Int8Ffn.ALL));
        assertEquals(Int8Ffn.ROUTED, Int8Ffn.parse("routed", Int8Ffn.OFF));
        assertEquals(Int8Ffn.ALL, Int8Ffn.parse("True", Int8Ffn.OFF));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Int8Ffn.parse("yes", Int8Ffn.OFF));
        assertTrue(e.getMessage().contains(Int8Ffn.PROPERTY), e.getMessage());
    }

    @Test
    void ptxFirstOnlyWithItsBackendAndADriverAndNoChoiceMade() {
        assertTrue(PtxPreference.wanted(null, true, true));
        assertFalse(PtxPreference.wanted("0", true, true));
        assertFalse(PtxPreference.wanted("100", true, true));
        assertFalse(PtxPreference.wanted(null, false, true));
        assertFalse(PtxPreference.wanted(null, true, false));
    }
}
