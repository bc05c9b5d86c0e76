package org.dsv3.model.quant;

/**
 * The ggml tensor element types that can appear in a GGUF file, with their block geometry
 * (docs/architecture.md §9.2). Every type has a fixed number of elements per block and bytes per
 * block; a row of {@code n} elements occupies {@code n / blockSize * typeSize} bytes.
 *
 * <p>{@link #isSupported()} tells whether this engine can compute with the type; unsupported types
 * are refused at load time with a message naming the tensor.
 */
public enum GgmlType {
    F32(0, 1, 4, true),
    F16(1, 1, 2, true),
    Q4_0(2, 32, 18, true),
    Q4_1(3, 32, 20, true),
    Q5_0(6, 32, 22, true),
    Q5_1(7, 32, 24, true),
    Q8_0(8, 32, 34, true),
    Q8_1(9, 32, 36, false),
    Q2_K(10, 256, 84, true),
    Q3_K(11, 256, 110, true),
    Q4_K(12, 256, 144, true),
    Q5_K(13, 256, 176, true),
    Q6_K(14, 256, 210, true),
    Q8_K(15, 256, 292, false),
    IQ2_XXS(16, 256, 66, true),
    IQ2_XS(17, 256, 74, true),
    IQ3_XXS(18, 256, 98, true),
    IQ1_S(19, 256, 50, true),
    IQ4_NL(20, 32, 18, true),
    IQ3_S(21, 256, 110, true),
    IQ2_S(22, 256, 82, true),
    IQ4_XS(23, 256, 136, true),
    I8(24, 1, 1, false),
    I16(25, 1, 2, false),
    I32(26, 1, 4, false),
    I64(27, 1, 8, false),
    F64(28, 1, 8, false),
    IQ1_M(29, 256, 56, true),
    BF16(30, 1, 2, true),
    TQ1_0(34, 256, 54, false),
    TQ2_0(35, 256, 66, false),
    MXFP4(39, 32, 17, false);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int typeSize;
    private final boolean supported;

    GgmlType(int id, int blockSize, int typeSize, boolean supported) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
        this.supported = supported;
    }

    /** The type with ggml id {@code id}, or {@code null} when the id is not a known ggml type. */
    public static GgmlType fromId(int id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }

    public int id() {
        return id;
    }

    /** Elements per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int typeSize() {
        return typeSize;
    }

    public boolean isSupported() {
        return supported;
    }

    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Bytes taken by {@code elements} values; {@code elements} must be a multiple of the block size.
     *
     * @throws ArithmeticException on overflow
     */
    public long bytesFor(long elements) {
        if (elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    name() + ": " + elements + " elements is not a multiple of the block size " + blockSize);
        }
        return Math.multiplyExact(elements / blockSize, (long) typeSize);
    }

    /** Bits per weight, for reporting. */
    public double bitsPerWeight() {
        return typeSize * 8.0 / blockSize;
    }
}
