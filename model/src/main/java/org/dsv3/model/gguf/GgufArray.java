package org.dsv3.model.gguf;

import java.util.Arrays;

/**
 * A GGUF metadata array. {@code values} holds the elements in the most direct Java form:
 * {@code long[]} for every integer type (unsigned 64-bit values keep their bit pattern),
 * {@code float[]} for FLOAT32, {@code double[]} for FLOAT64, {@code boolean[]} for BOOL,
 * {@code String[]} for STRING and {@code GgufArray[]} for nested arrays.
 */
public record GgufArray(GgufValueType elementType, Object values) {

    public GgufArray {
        Class<?> expected = switch (elementType) {
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> GgufArray[].class;
            default -> long[].class;
        };
        if (!expected.isInstance(values)) {
            throw new IllegalArgumentException("array of " + elementType + " needs " + expected.getSimpleName()
                    + ", got " + (values == null ? "null" : values.getClass().getSimpleName()));
        }
    }

    public static GgufArray ofStrings(String... v) {
        return new GgufArray(GgufValueType.STRING, v);
    }

    public static GgufArray ofInts(GgufValueType type, long... v) {
        return new GgufArray(type, v);
    }

    public static GgufArray ofFloats(float... v) {
        return new GgufArray(GgufValueType.FLOAT32, v);
    }

    public int length() {
        return switch (values) {
            case long[] a -> a.length;
            case float[] a -> a.length;
            case double[] a -> a.length;
            case boolean[] a -> a.length;
            case String[] a -> a.length;
            case GgufArray[] a -> a.length;
            default -> throw new IllegalStateException();
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufArray other && other.elementType == elementType
                && Arrays.deepEquals(new Object[] {values}, new Object[] {other.values});
    }

    @Override
    public int hashCode() {
        return elementType.hashCode() * 31 + Arrays.deepHashCode(new Object[] {values});
    }

    @Override
    public String toString() {
        return "array<" + elementType + ">[" + length() + "]";
    }
}
