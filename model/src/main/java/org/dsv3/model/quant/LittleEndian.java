package org.dsv3.model.quant;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Little-endian, unaligned reads and writes of the scalar fields found inside ggml blocks. */
public final class LittleEndian {
    public static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private LittleEndian() {
    }

    /** The unsigned byte at {@code off}. */
    public static int u8(MemorySegment seg, long off) {
        return seg.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
    }

    /** The signed byte at {@code off}. */
    public static int i8(MemorySegment seg, long off) {
        return seg.get(ValueLayout.JAVA_BYTE, off);
    }

    /** The unsigned 16-bit value at {@code off}. */
    public static int u16(MemorySegment seg, long off) {
        return seg.get(SHORT, off) & 0xFFFF;
    }

    public static int i32(MemorySegment seg, long off) {
        return seg.get(INT, off);
    }

    /** The IEEE half-precision value at {@code off}, widened exactly to float. */
    public static float f16(MemorySegment seg, long off) {
        return Float.float16ToFloat(seg.get(SHORT, off));
    }

    public static float f32(MemorySegment seg, long off) {
        return seg.get(FLOAT, off);
    }

    public static void putU8(MemorySegment seg, long off, int v) {
        seg.set(ValueLayout.JAVA_BYTE, off, (byte) v);
    }

    public static void putU16(MemorySegment seg, long off, int v) {
        seg.set(SHORT, off, (short) v);
    }

    public static void putI32(MemorySegment seg, long off, int v) {
        seg.set(INT, off, v);
    }

    /** Stores {@code v} rounded to the nearest half-precision value (ties to even, as ggml's fp32→fp16). */
    public static void putF16(MemorySegment seg, long off, float v) {
        seg.set(SHORT, off, Float.floatToFloat16(v));
    }

    public static void putF32(MemorySegment seg, long off, float v) {
        seg.set(FLOAT, off, v);
    }
}
