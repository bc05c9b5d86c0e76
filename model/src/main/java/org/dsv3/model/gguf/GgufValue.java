package org.dsv3.model.gguf;

/**
 * One typed metadata value. {@code value} is a {@link Long} for every integer type, a {@link Float},
 * {@link Double}, {@link Boolean}, {@link String} or {@link GgufArray}; the GGUF type is kept so that
 * a file can be written back exactly.
 */
public record GgufValue(GgufValueType type, Object value) {

    public GgufValue {
        boolean ok = switch (type) {
            case FLOAT32 -> value instanceof Float;
            case FLOAT64 -> value instanceof Double;
            case BOOL -> value instanceof Boolean;
            case STRING -> value instanceof String;
            case ARRAY -> value instanceof GgufArray;
            default -> value instanceof Long;
        };
        if (!ok) {
            throw new IllegalArgumentException(type + " cannot hold " + value);
        }
    }

    public static GgufValue u32(long v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue u16(long v) {
        return new GgufValue(GgufValueType.UINT16, v);
    }

    public static GgufValue i32(long v) {
        return new GgufValue(GgufValueType.INT32, v);
    }

    public static GgufValue u64(long v) {
        return new GgufValue(GgufValueType.UINT64, v);
    }

    public static GgufValue f32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, v);
    }

    public static GgufValue array(GgufArray v) {
        return new GgufValue(GgufValueType.ARRAY, v);
    }
}
