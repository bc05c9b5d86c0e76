package org.dsv3.runner.generate.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A byte-level pushdown automaton for JSON text that matches a {@link JsonSchema}: the state after
 * some bytes is an immutable stack of frames (the innermost on top, each pointing at the one around
 * it), so {@link State#step} returns a new state and old ones stay valid. That lets a search over
 * the vocabulary share a prefix's state among all tokens that begin with it.
 *
 * <p>Whitespace between tokens is limited to {@value #MAX_WHITESPACE} bytes in a row, numbers to
 * {@value #MAX_NUMBER} bytes, and nesting to {@value #MAX_DEPTH} levels, so that a model cannot loop
 * forever inside the grammar on those. Strings are checked for well-formed UTF-8 and escapes.
 */
public final class JsonAutomaton {
    static final int MAX_WHITESPACE = 20;
    static final int MAX_NUMBER = 24;
    static final int MAX_DEPTH = 32;

    private JsonAutomaton() {
    }

    /** The state before any byte, for a value of {@code schema}. */
    public static State start(JsonSchema schema) {
        return new Value(new Root(false), schema, 0, 0);
    }

    /** Where the automaton is. */
    public abstract static sealed class State permits Root, Value, Obj, Arr, Str, Num, Literal {
        final State parent;
        final int depth;

        State(State parent, int depth) {
            this.parent = parent;
            this.depth = depth;
        }

        /** The state after byte {@code b} (0..255), or {@code null} when {@code b} cannot come here. */
        public abstract State step(int b);

        /** Whether the text so far is one complete value, so that it may end here. */
        public boolean complete() {
            return false;
        }

        /** A value inside this frame is finished: the frame's next state. */
        State valueDone() {
            throw new IllegalStateException("no value expected in " + getClass().getSimpleName());
        }

        /** A string inside this frame is finished (an object frame takes it as a key). */
        State stringDone(String text) {
            return valueDone();
        }

        /** The state after all of {@code bytes}, or {@code null}. */
        public State steps(byte[] bytes) {
            State s = this;
            for (int i = 0; i < bytes.length && s != null; i++) {
                s = s.step(bytes[i] & 0xff);
            }
            return s;
        }
    }

    static boolean isWhitespace(int b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    /** Outside everything: before the value, or after it (where only a little whitespace may follow). */
    static final class Root extends State {
        final boolean done;
        final int ws;

        Root(boolean done) {
            this(done, 0);
        }

        private Root(boolean done, int ws) {
            super(null, 0);
            this.done = done;
            this.ws = ws;
        }

        @Override
        public State step(int b) {
            return done && isWhitespace(b) && ws < MAX_WHITESPACE ? new Root(true, ws + 1) : null;
        }

        @Override
        public boolean complete() {
            return done;
        }

        @Override
        State valueDone() {
            return new Root(true);
        }
    }

    /** A value of {@code schema} is expected: whitespace, then its first byte decides its kind. */
    static final class Value extends State {
        final JsonSchema schema;
        final int ws;

        Value(State parent, JsonSchema schema, int depth, int ws) {
            super(parent, depth);
            this.schema = schema;
            this.ws = ws;
        }

        @Override
        public State step(int b) {
            if (isWhitespace(b)) {
                return ws < MAX_WHITESPACE ? new Value(parent, schema, depth, ws + 1) : null;
            }
            return begin(parent, schema, depth, b);
        }
    }

    /** The frame a value of {@code schema} beginning with {@code b} opens, or {@code null}. */
    static State begin(State parent, JsonSchema schema, int depth, int b) {
        if (schema.enumTexts != null) {
            List<byte[]> alive = new ArrayList<>();
            for (byte[] t : schema.enumTexts) {
                if (t.length > 0 && (t[0] & 0xff) == b) {
                    alive.add(t);
                }
            }
            return alive.isEmpty() ? null : Literal.after(parent, alive, 1, null, depth);
        }
        if (depth >= MAX_DEPTH && (b == '{' || b == '[')) {
            return null;
        }
        return switch (b) {
            case '{' -> schema.allows(JsonSchema.Type.OBJECT) ? new Obj(parent, schema, depth + 1, Obj.OPEN, List.of(), 0) : null;
            case '[' -> schema.allows(JsonSchema.Type.ARRAY) ? new Arr(parent, schema, depth + 1, Arr.OPEN, 0, 0) : null;
            case '"' -> schema.allows(JsonSchema.Type.STRING) ? new Str(parent, depth, schema.minLength, schema.maxLength, 0, 0, 0, 0, 0) : null;
            case 't' -> schema.allows(JsonSchema.Type.BOOLEAN) ? Literal.after(parent, List.of(bytes("true")), 1, null, depth) : null;
            case 'f' -> schema.allows(JsonSchema.Type.BOOLEAN) ? Literal.after(parent, List.of(bytes("false")), 1, null, depth) : null;
            case 'n' -> schema.allows(JsonSchema.Type.NULL) ? Literal.after(parent, List.of(bytes("null")), 1, null, depth) : null;
            default -> {
                boolean number = schema.allows(JsonSchema.Type.NUMBER);
                if ((b == '-' || (b >= '0' && b <= '9')) && (number || schema.allows(JsonSchema.Type.INTEGER))) {
                    yield new Num(parent, depth, !number, Num.START, 0).step(b);
                }
                yield null;
            }
        };
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** {@code s} as a JSON string literal, in UTF-8. */
    static byte[] quoted(String s) {
        try {
            return JSON.writeValueAsBytes(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The string a JSON string literal (quotes included, or only its inside) stands for. */
    static String unquote(byte[] literal) {
        boolean quotedAlready = literal.length >= 2 && literal[0] == '"' && literal[literal.length - 1] == '"';
        byte[] text = literal;
        if (!quotedAlready) {
            text = new byte[literal.length + 2];
            text[0] = '"';
            System.arraycopy(literal, 0, text, 1, literal.length);
            text[text.length - 1] = '"';
        }
        try {
            return JSON.readValue(text, String.class);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the automaton let through an invalid string: " + e.getMessage(), e);
        }
    }

    /** Inside a string without bounds, between characters: where {@link #plainStringChars} is measured. */
    static State plainString() {
        return new Str(new Root(false), 0, 0, Integer.MAX_VALUE, 0, 0, 0, 0, 0);
    }

    /** The characters written when {@code after} is still inside that string between characters; 0 when it is not. */
    static int plainStringChars(State after) {
        return after instanceof Str s && s.escape == 0 && s.pending == 0 ? s.length : 0;
    }

    /**
     * When {@code s} is inside a string between characters: how many more characters fit (at least
     * 1); 0 otherwise. A token of plain string text that fits is then allowed whatever else holds.
     */
    static int roomInString(State s) {
        return s instanceof Str str && str.escape == 0 && str.pending == 0 && str.length < str.maxLength
                ? str.maxLength - str.length : 0;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An object. Stages: just opened (a key or '}'), after a key (':'), after a value (',' or '}'),
     * after ',' (a key). {@code seen} lists the keys written, so that none repeats and '}' waits for
     * the required ones.
     */
    static final class Obj extends State {
        static final int OPEN = 0, KEY = 1, COLON = 2, AFTER = 3, NEXT = 4;
        final JsonSchema schema;
        final int stage;
        final List<String> seen;
        final int ws;
        /** In stage COLON: the key just read. */
        final String key;

        Obj(State parent, JsonSchema schema, int depth, int stage, List<String> seen, int ws) {
            this(parent, schema, depth, stage, seen, ws, null);
        }

        Obj(State parent, JsonSchema schema, int depth, int stage, List<String> seen, int ws, String key) {
            super(parent, depth);
            this.schema = schema;
            this.stage = stage;
            this.seen = seen;
            this.ws = ws;
            this.key = key;
        }

        private Obj with(int newStage, List<String> newSeen, int newWs, String newKey) {
            return new Obj(parent, schema, depth, newStage, newSeen, newWs, newKey);
        }

        private boolean requiredDone() {
            return seen.containsAll(schema.required);
        }

        /** The keys still allowed, as JSON texts; {@code null} when any key is (additional properties). */
        private List<byte[]> keyTexts() {
            if (!schema.closed) {
                return null;
            }
            List<byte[]> out = new ArrayList<>();
            for (String name : schema.properties.keySet()) {
                if (!seen.contains(name)) {
                    out.add(quoted(name));
                }
            }
            return out;
        }

        private State key(int b) {
            if (b != '"') {
                return null;
            }
            Obj waiting = with(KEY, seen, 0, null);
            List<byte[]> names = keyTexts();
            if (names == null) {
                return new Str(waiting, depth, 0, Integer.MAX_VALUE, 0, 0, 0, 0, 0).recording();
            }
            return names.isEmpty() ? null : Literal.after(waiting, names, 1, "key", depth);
        }

        @Override
        public State step(int b) {
            if (isWhitespace(b) && stage != KEY) {
                return ws < MAX_WHITESPACE ? with(stage, seen, ws + 1, key) : null;
            }
            return switch (stage) {
                case OPEN -> b == '}' ? (requiredDone() ? parent.valueDone() : null) : key(b);
                case NEXT -> key(b);
                case COLON -> {
                    if (b != ':') {
                        yield null;
                    }
                    List<String> now = new ArrayList<>(seen);
                    now.add(key);
                    JsonSchema value = schema.property(key);
                    yield value == null ? null : new Value(with(AFTER, List.copyOf(now), 0, null), value, depth, 0);
                }
                case AFTER -> {
                    if (b == '}') {
                        yield requiredDone() ? parent.valueDone() : null;
                    }
                    if (b != ',') {
                        yield null;
                    }
                    List<byte[]> names = keyTexts();
                    yield names != null && names.isEmpty() ? null : with(NEXT, seen, 0, null);
                }
                default -> null;
            };
        }

        @Override
        State valueDone() {
            return this; // the AFTER stage was set when the value began
        }

        @Override
        State stringDone(String text) {
            if (stage != KEY) {
                return valueDone();
            }
            if (seen.contains(text)) {
                return null; // a repeated key
            }
            return with(COLON, seen, 0, text);
        }
    }

    /** An array: just opened (a value or ']'), after a value (',' or ']'), after ',' (a value). */
    static final class Arr extends State {
        static final int OPEN = 0, AFTER = 1, NEXT = 2;
        final JsonSchema schema;
        final int stage;
        final int count;
        final int ws;

        Arr(State parent, JsonSchema schema, int depth, int stage, int count, int ws) {
            super(parent, depth);
            this.schema = schema;
            this.stage = stage;
            this.count = count;
            this.ws = ws;
        }

        @Override
        public State step(int b) {
            if (isWhitespace(b)) {
                return ws < MAX_WHITESPACE ? new Arr(parent, schema, depth, stage, count, ws + 1) : null;
            }
            switch (stage) {
                case OPEN:
                    if (b == ']') {
                        return schema.minItems == 0 ? parent.valueDone() : null;
                    }
                    // fall through: the first value
                case NEXT:
                    if (count >= schema.maxItems) {
                        return null;
                    }
                    return begin(new Arr(parent, schema, depth, AFTER, count + 1, 0), schema.items(), depth, b);
                case AFTER:
                    if (b == ']') {
                        return count >= schema.minItems ? parent.valueDone() : null;
                    }
                    return b == ',' && count < schema.maxItems ? new Arr(parent, schema, depth, NEXT, count, 0) : null;
                default:
                    return null;
            }
        }

        @Override
        State valueDone() {
            return this;
        }
    }

    /**
     * Inside a string (after its opening quote): the escapes backslash + one of {@code " \\ / b f n r t}, or u and four hex digits;
     * no control characters, well-formed UTF-8, {@code minLength}..{@code maxLength} characters.
     * A key string records its text ({@link #recording()}), for the object's repeated-key check.
     */
    static final class Str extends State {
        final int minLength;
        final int maxLength;
        /** Characters so far. */
        final int length;
        /** 0 plain, 1 after a backslash, 2..5 reading the four hex digits after backslash-u. */
        final int escape;
        /** UTF-8 continuation bytes still to come, and the range the next one must lie in. */
        final int pending;
        final int lo;
        final int hi;
        final StringBuilder text;

        Str(State parent, int depth, int minLength, int maxLength, int length, int escape, int pending, int lo, int hi) {
            this(parent, depth, minLength, maxLength, length, escape, pending, lo, hi, null);
        }

        private Str(State parent, int depth, int minLength, int maxLength, int length, int escape, int pending, int lo, int hi,
                    StringBuilder text) {
            super(parent, depth);
            this.minLength = minLength;
            this.maxLength = maxLength;
            this.length = length;
            this.escape = escape;
            this.pending = pending;
            this.lo = lo;
            this.hi = hi;
            this.text = text;
        }

        Str recording() {
            return new Str(parent, depth, minLength, maxLength, length, escape, pending, lo, hi, new StringBuilder());
        }

        private Str next(int newLength, int newEscape, int newPending, int newLo, int newHi, int b) {
            StringBuilder t = text;
            if (t != null) {
                t = new StringBuilder(t).append((char) b); // bytes, compared only with each other
            }
            return new Str(parent, depth, minLength, maxLength, newLength, newEscape, newPending, newLo, newHi, t);
        }

        @Override
        public State step(int b) {
            if (pending > 0) {
                return b >= lo && b <= hi ? next(length, 0, pending - 1, 0x80, 0xBF, b) : null;
            }
            if (escape == 1) {
                if (b == 'u') {
                    return next(length, 2, 0, 0, 0, b);
                }
                return "\"\\/bfnrt".indexOf(b) >= 0 ? next(length + 1, 0, 0, 0, 0, b) : null;
            }
            if (escape >= 2) {
                boolean hex = (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
                if (!hex) {
                    return null;
                }
                return escape == 5 ? next(length + 1, 0, 0, 0, 0, b) : next(length, escape + 1, 0, 0, 0, b);
            }
            if (b == '"') {
                if (length < minLength) {
                    return null;
                }
                return parent.stringDone(text == null ? null : unquote(text.toString().getBytes(StandardCharsets.ISO_8859_1)));
            }
            if (length >= maxLength) {
                return null;
            }
            if (b == '\\') {
                return next(length, 1, 0, 0, 0, b);
            }
            if (b < 0x20) {
                return null;
            }
            if (b < 0x80) {
                return next(length + 1, 0, 0, 0, 0, b);
            }
            // a UTF-8 lead byte: how many continuation bytes follow, and the range of the first one
            // (which excludes overlong forms, surrogates and code points above U+10FFFF)
            if (b >= 0xC2 && b <= 0xDF) {
                return next(length + 1, 0, 1, 0x80, 0xBF, b);
            }
            if (b >= 0xE0 && b <= 0xEF) {
                return next(length + 1, 0, 2, b == 0xE0 ? 0xA0 : 0x80, b == 0xED ? 0x9F : 0xBF, b);
            }
            if (b >= 0xF0 && b <= 0xF4) {
                return next(length + 1, 0, 3, b == 0xF0 ? 0x90 : 0x80, b == 0xF4 ? 0x8F : 0xBF, b);
            }
            return null;
        }
    }

    /** A number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?; integers stop before '.' and 'e'. */
    static final class Num extends State {
        static final int START = 0, MINUS = 1, ZERO = 2, INT = 3, DOT = 4, FRAC = 5, EXP = 6, EXP_SIGN = 7, EXP_DIGITS = 8;
        final boolean integer;
        final int stage;
        final int length;

        Num(State parent, int depth, boolean integer, int stage, int length) {
            super(parent, depth);
            this.integer = integer;
            this.stage = stage;
            this.length = length;
        }

        private boolean accepting() {
            return stage == ZERO || stage == INT || stage == FRAC || stage == EXP_DIGITS;
        }

        private State to(int s) {
            return length + 1 > MAX_NUMBER ? null : new Num(parent, depth, integer, s, length + 1);
        }

        @Override
        public State step(int b) {
            boolean digit = b >= '0' && b <= '9';
            State next = switch (stage) {
                case START -> b == '-' ? to(MINUS) : b == '0' ? to(ZERO) : digit ? to(INT) : null;
                case MINUS -> b == '0' ? to(ZERO) : digit ? to(INT) : null;
                case ZERO -> !integer && b == '.' ? to(DOT) : !integer && (b == 'e' || b == 'E') ? to(EXP) : null;
                case INT -> digit ? to(INT) : !integer && b == '.' ? to(DOT) : !integer && (b == 'e' || b == 'E') ? to(EXP) : null;
                case DOT, FRAC -> digit ? to(FRAC) : stage == FRAC && (b == 'e' || b == 'E') ? to(EXP) : null;
                case EXP -> b == '+' || b == '-' ? to(EXP_SIGN) : digit ? to(EXP_DIGITS) : null;
                case EXP_SIGN, EXP_DIGITS -> digit ? to(EXP_DIGITS) : null;
                default -> null;
            };
            if (next != null) {
                return next;
            }
            // a byte that cannot continue the number ends it, if it is complete, and goes to what follows
            return accepting() && !digit ? parent.valueDone().step(b) : null;
        }

        @Override
        public boolean complete() {
            return accepting() && parent.valueDone().complete();
        }
    }

    /**
     * One of a few exact JSON texts (true, false, null, an enum's values, an object's remaining
     * property names as keys), {@code matched} bytes of them read. A text that is a prefix of a
     * longer one (enum numbers 1 and 12) is complete but waits for the next byte.
     */
    static final class Literal extends State {
        final List<byte[]> alive;
        final int matched;
        /** "key": the text is an object key, handed to the parent without its quotes. */
        final String role;

        private Literal(State parent, List<byte[]> alive, int matched, String role, int depth) {
            super(parent, depth);
            this.alive = alive;
            this.matched = matched;
            this.role = role;
        }

        /** After {@code matched} bytes of the {@code alive} texts; collapses to what follows when one is done and none is longer. */
        static State after(State parent, List<byte[]> alive, int matched, String role, int depth) {
            Literal l = new Literal(parent, alive, matched, role, depth);
            boolean longer = false;
            for (byte[] t : alive) {
                longer |= t.length > matched;
            }
            return !longer ? l.finished() : l;
        }

        private byte[] done() {
            for (byte[] t : alive) {
                if (t.length == matched) {
                    return t;
                }
            }
            return null;
        }

        private State finished() {
            byte[] t = done();
            if ("key".equals(role)) {
                return parent.stringDone(unquote(t));
            }
            return parent.valueDone();
        }

        @Override
        public State step(int b) {
            List<byte[]> next = new ArrayList<>();
            for (byte[] t : alive) {
                if (t.length > matched && (t[matched] & 0xff) == b) {
                    next.add(t);
                }
            }
            if (!next.isEmpty()) {
                return after(parent, next, matched + 1, role, depth);
            }
            return done() != null ? finished().step(b) : null;
        }

        @Override
        public boolean complete() {
            return done() != null && finished().complete();
        }
    }
}
