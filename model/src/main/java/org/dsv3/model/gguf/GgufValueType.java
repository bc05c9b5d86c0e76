package org.dsv3.model.gguf;

/** The metadata value types of GGUF (ids 0–12), with the byte size of the fixed-size ones. */
public enum GgufValueType {
    UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1),
    STRING(-1), ARRAY(-1), UINT64(8), INT64(8), FLOAT64(8);

    private static final GgufValueType[] VALUES = values();
    private final int size;

    GgufValueType(int size) {
        this.size = size;
    }

    /** The type with GGUF id {@code id}, or {@code null} when there is none. */
    public static GgufValueType fromId(long id) {
        return id >= 0 && id < VALUES.length ? VALUES[(int) id] : null;
    }

    public int id() {
        return ordinal();
    }

    /** Bytes of one value, or -1 for the variable-size STRING and ARRAY. */
    public int size() {
        return size;
    }

    /**
     * The fewest bytes one value of this type can take in a file: used to check an array's count
     * against the bytes left before anything is allocated.
     */
    public int minEncodedSize() {
        return switch (this) {
            case STRING -> 8;       // u64 length, possibly zero characters
            case ARRAY -> 12;       // u32 element type + u64 count
            default -> size;
        };
    }

    public boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }
}
