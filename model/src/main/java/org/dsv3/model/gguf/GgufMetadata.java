package org.dsv3.model.gguf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The key/value metadata of a GGUF file, in file order, with typed accessors whose errors name the
 * file and the key.
 */
public final class GgufMetadata {
    private final Path source;
    private final Map<String, GgufValue> values;

    public GgufMetadata(Path source, Map<String, GgufValue> values) {
        this.source = source;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public Path source() {
        return source;
    }

    public Map<String, GgufValue> asMap() {
        return values;
    }

    public boolean contains(String key) {
        return values.containsKey(key);
    }

    public Optional<GgufValue> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    private GgufValue require(String key) {
        GgufValue v = values.get(key);
        if (v == null) {
            throw GgufException.of(source, key, "required metadata key is missing");
        }
        return v;
    }

    private GgufException wrongType(String key, GgufValue v, String wanted) {
        return GgufException.of(source, key, "expected " + wanted + " but the file holds " + v.type());
    }

    public String getString(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof String s) {
            return s;
        }
        throw wrongType(key, v, "a string");
    }

    public Optional<String> optString(String key) {
        return values.containsKey(key) ? Optional.of(getString(key)) : Optional.empty();
    }

    public long getLong(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof Long l) {
            return l;
        }
        throw wrongType(key, v, "an integer");
    }

    /** An integer value that must fit a non-negative Java int. */
    public int getInt(String key) {
        long l = getLong(key);
        if (l < 0 || l > Integer.MAX_VALUE) {
            throw GgufException.of(source, key, "value " + l + " is out of range");
        }
        return (int) l;
    }

    public int optInt(String key, int dflt) {
        return values.containsKey(key) ? getInt(key) : dflt;
    }

    public float getFloat(String key) {
        GgufValue v = require(key);
        return switch (v.value()) {
            case Float f -> f;
            case Double d -> d.floatValue();
            case Long l -> l.floatValue();
            default -> throw wrongType(key, v, "a number");
        };
    }

    public float optFloat(String key, float dflt) {
        return values.containsKey(key) ? getFloat(key) : dflt;
    }

    public boolean getBool(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof Boolean b) {
            return b;
        }
        throw wrongType(key, v, "a bool");
    }

    public boolean optBool(String key, boolean dflt) {
        return values.containsKey(key) ? getBool(key) : dflt;
    }

    public GgufArray getArray(String key) {
        GgufValue v = require(key);
        if (v.value() instanceof GgufArray a) {
            return a;
        }
        throw wrongType(key, v, "an array");
    }

    public String[] getStringArray(String key) {
        GgufArray a = getArray(key);
        if (a.values() instanceof String[] s) {
            return s;
        }
        throw GgufException.of(source, key, "expected an array of strings but the file holds array of " + a.elementType());
    }

    public long[] getIntArray(String key) {
        GgufArray a = getArray(key);
        if (a.values() instanceof long[] l) {
            return l;
        }
        throw GgufException.of(source, key, "expected an array of integers but the file holds array of " + a.elementType());
    }

    public float[] getFloatArray(String key) {
        GgufArray a = getArray(key);
        if (a.values() instanceof float[] f) {
            return f;
        }
        throw GgufException.of(source, key, "expected an array of float32 but the file holds array of " + a.elementType());
    }
}
