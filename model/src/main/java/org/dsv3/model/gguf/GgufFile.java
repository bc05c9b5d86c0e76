package org.dsv3.model.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.dsv3.model.quant.GgmlType;

/**
 * One GGUF file (v2 or v3), memory-mapped and validated: header, metadata, tensor infos and the
 * tensor data section. Everything read from the file is checked against the file's length before
 * it is trusted or used to allocate, so a corrupt file gives a {@link GgufException} naming the
 * file and the field, never an out-of-memory error or a hang.
 *
 * <p>Tensors of types this engine cannot compute with are still listed (so {@code info} can show
 * them); the model loader refuses them by name.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" little-endian
    public static final int DEFAULT_ALIGNMENT = 32;
    static final int MAX_DIMS = 4;
    /** No key or tensor name in a real file comes near this; it bounds what a corrupt length can ask for. */
    static final long MAX_STRING_BYTES = 1L << 24;
    static final int MAX_ARRAY_NESTING = 8;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;
    private final int version;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensor> tensors;
    private final int alignment;
    private final long dataOffset;

    private GgufFile(Path path, Arena arena, MemorySegment segment, int version, GgufMetadata metadata,
                     Map<String, GgufTensor> tensors, int alignment, long dataOffset) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
        this.alignment = alignment;
        this.dataOffset = dataOffset;
    }

    /** Maps and validates {@code path}. The mapping lives until {@link #close()}. */
    public static GgufFile open(Path path) {
        String kind = notARegularFile(path);
        if (kind != null) {
            throw new GgufException(path + ": " + kind + ", not a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            }
            return new Parser(path, seg).parse(arena);
        } catch (IOException e) {
            arena.close();
            throw new GgufException(path + ": cannot read file: " + reason(e), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** What {@code path} is when it is not a regular file ("no such file", "a directory", ...), else {@code null}. */
    public static String notARegularFile(Path path) {
        if (java.nio.file.Files.isRegularFile(path)) {
            return null;
        }
        if (java.nio.file.Files.isDirectory(path)) {
            return "is a directory";
        }
        if (!java.nio.file.Files.exists(path)) {
            Path parent = path.toAbsolutePath().getParent();
            return parent != null && !java.nio.file.Files.isDirectory(parent)
                    ? "no such file (its directory " + parent + " does not exist)" : "no such file";
        }
        return "is not a regular file (a device, FIFO or socket)";
    }

    /** The reason of an I/O failure in words (the JDK's messages of some are only the path). */
    public static String reason(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException x -> "no such file";
            case java.nio.file.AccessDeniedException x -> "permission denied";
            case java.nio.file.FileSystemException x when x.getReason() != null -> x.getReason();
            default -> e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        };
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    /** Tensors in file order. */
    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    public int alignment() {
        return alignment;
    }

    /** Offset of the tensor data section from the start of the file. */
    public long dataOffset() {
        return dataOffset;
    }

    public long fileSize() {
        return segment.byteSize();
    }

    @Override
    public void close() {
        arena.close();
    }

    /** A bounds-checked little-endian cursor over the mapped file. */
    private static final class Parser {
        private final Path path;
        private final MemorySegment seg;
        private final long size;
        private long pos;

        Parser(Path path, MemorySegment seg) {
            this.path = path;
            this.seg = seg;
            this.size = seg.byteSize();
        }

        private GgufException error(String field, String problem) {
            return GgufException.of(path, field, problem);
        }

        private void need(long bytes, String field) {
            if (bytes < 0 || bytes > size - pos) {
                throw error(field, "needs " + bytes + " bytes at offset " + pos + " but the file ends at " + size
                        + " (truncated or corrupt)");
            }
        }

        private int u8(String field) {
            need(1, field);
            return seg.get(ValueLayout.JAVA_BYTE, pos++) & 0xff;
        }

        private int u16(String field) {
            need(2, field);
            int v = seg.get(I16, pos) & 0xffff;
            pos += 2;
            return v;
        }

        private int i32(String field) {
            need(4, field);
            int v = seg.get(I32, pos);
            pos += 4;
            return v;
        }

        private long u32(String field) {
            return i32(field) & 0xffffffffL;
        }

        private long i64(String field) {
            need(8, field);
            long v = seg.get(I64, pos);
            pos += 8;
            return v;
        }

        private String string(String field) {
            long len = i64(field + " (string length)");
            if (len < 0 || len > MAX_STRING_BYTES) {
                throw error(field, "string length " + Long.toUnsignedString(len) + " is not plausible");
            }
            need(len, field);
            byte[] bytes = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
            pos += len;
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw error(field, "string is not valid UTF-8");
            }
        }

        GgufFile parse(Arena arena) {
            int magic = i32("magic");
            if (magic != MAGIC) {
                throw error("magic", String.format("not a GGUF file (magic 0x%08x, expected 'GGUF')", magic));
            }
            int version = i32("version");
            if (version != 2 && version != 3) {
                throw error("version", "GGUF version " + version + " is not supported (2 and 3 are)");
            }
            long tensorCount = i64("tensor_count");
            long kvCount = i64("metadata_kv_count");
            // Every key/value takes at least 8 (key length) + 4 (type) + 1 bytes, every tensor info
            // at least 8 + 4 + 8 + 4 + 8; counts beyond what the file can hold are corrupt.
            if (kvCount < 0 || kvCount > (size - pos) / 13) {
                throw error("metadata_kv_count", Long.toUnsignedString(kvCount) + " entries cannot fit in a file of " + size + " bytes");
            }
            if (tensorCount < 0 || tensorCount > (size - pos) / 32) {
                throw error("tensor_count", Long.toUnsignedString(tensorCount) + " tensors cannot fit in a file of " + size + " bytes");
            }
            Map<String, GgufValue> kv = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = string("metadata key #" + i);
                long typeId = u32(key + " (type)");
                GgufValueType type = GgufValueType.fromId(typeId);
                if (type == null) {
                    throw error(key, "unknown metadata value type " + typeId);
                }
                GgufValue value = new GgufValue(type, value(type, key, 0));
                if (kv.putIfAbsent(key, value) != null) {
                    throw error(key, "duplicate metadata key");
                }
            }
            GgufMetadata metadata = new GgufMetadata(path, kv);
            int alignment = DEFAULT_ALIGNMENT;
            if (metadata.contains("general.alignment")) {
                long a = metadata.getLong("general.alignment");
                if (a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1) {
                    throw error("general.alignment", "alignment " + a + " is not a power of two");
                }
                alignment = (int) a;
            }

            record Info(String name, GgmlType type, long[] dims, long offset, long bytes) {
            }
            List<Info> infos = new ArrayList<>((int) tensorCount);
            Set<String> names = new HashSet<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = string("tensor info #" + i + " name");
                if (!names.add(name)) {
                    throw error("tensor " + name, "duplicate tensor name");
                }
                long nDims = u32("tensor " + name + " n_dims");
                if (nDims < 1 || nDims > MAX_DIMS) {
                    throw error("tensor " + name + " n_dims", nDims + " dimensions (1 to " + MAX_DIMS + " allowed)");
                }
                long[] dims = new long[(int) nDims];
                long elements = 1;
                for (int d = 0; d < nDims; d++) {
                    dims[d] = i64("tensor " + name + " ne[" + d + "]");
                    if (dims[d] <= 0) {
                        throw error("tensor " + name + " ne[" + d + "]", "dimension " + Long.toUnsignedString(dims[d]) + " is not positive");
                    }
                    try {
                        elements = Math.multiplyExact(elements, dims[d]);
                    } catch (ArithmeticException e) {
                        throw error("tensor " + name + " dims", "element count overflows");
                    }
                }
                long typeId = u32("tensor " + name + " type");
                GgmlType type = GgmlType.fromId((int) Math.min(typeId, Integer.MAX_VALUE));
                if (type == null) {
                    throw error("tensor " + name + " type", "unknown ggml type id " + typeId);
                }
                if (dims[0] % type.blockSize() != 0) {
                    throw error("tensor " + name + " ne[0]", "row length " + dims[0] + " is not a multiple of the "
                            + type + " block size " + type.blockSize());
                }
                long bytes;
                try {
                    bytes = type.bytesFor(elements);
                } catch (ArithmeticException e) {
                    throw error("tensor " + name + " dims", "byte size overflows");
                }
                long offset = i64("tensor " + name + " offset");
                if (offset < 0 || offset % alignment != 0) {
                    throw error("tensor " + name + " offset", "offset " + Long.toUnsignedString(offset)
                            + " is not aligned to " + alignment);
                }
                infos.add(new Info(name, type, dims, offset, bytes));
            }
            long dataOffset = (pos + alignment - 1) / alignment * alignment;
            if (tensorCount > 0 && dataOffset > size) {
                throw error("tensor data", "data section would start at " + dataOffset + " beyond the end of the file (" + size + ")");
            }
            long dataSize = Math.max(0, size - dataOffset);
            Map<String, GgufTensor> tensors = new LinkedHashMap<>();
            for (Info info : infos) {
                if (info.offset > dataSize || info.bytes > dataSize - info.offset) {
                    throw error("tensor " + info.name, "data [" + info.offset + ", +" + info.bytes
                            + ") lies beyond the end of the data section (" + dataSize + " bytes; file truncated?)");
                }
                MemorySegment data = seg.asSlice(dataOffset + info.offset, info.bytes);
                tensors.put(info.name, new GgufTensor(info.name, info.type, info.dims, data, path));
            }
            return new GgufFile(path, arena, seg, version, metadata, Collections.unmodifiableMap(tensors), alignment, dataOffset);
        }

        private Object value(GgufValueType type, String key, int depth) {
            return switch (type) {
                case UINT8 -> (long) u8(key);
                case INT8 -> (long) (byte) u8(key);
                case UINT16 -> (long) u16(key);
                case INT16 -> (long) (short) u16(key);
                case UINT32 -> u32(key);
                case INT32 -> (long) i32(key);
                case UINT64, INT64 -> i64(key);
                case FLOAT32 -> Float.intBitsToFloat(i32(key));
                case FLOAT64 -> Double.longBitsToDouble(i64(key));
                case BOOL -> {
                    int b = u8(key);
                    if (b > 1) {
                        throw error(key, "bool value " + b + " is neither 0 nor 1");
                    }
                    yield b == 1;
                }
                case STRING -> string(key);
                case ARRAY -> array(key, depth);
            };
        }

        private GgufArray array(String key, int depth) {
            if (depth >= MAX_ARRAY_NESTING) {
                throw error(key, "arrays nested deeper than " + MAX_ARRAY_NESTING);
            }
            long typeId = u32(key + " (array element type)");
            GgufValueType et = GgufValueType.fromId(typeId);
            if (et == null) {
                throw error(key, "unknown array element type " + typeId);
            }
            long count = i64(key + " (array length)");
            if (count < 0 || count > (size - pos) / et.minEncodedSize() || count > Integer.MAX_VALUE - 8) {
                throw error(key, "array length " + Long.toUnsignedString(count) + " cannot fit in the rest of the file");
            }
            int n = (int) count;
            return switch (et) {
                case FLOAT32 -> {
                    float[] a = new float[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = Float.intBitsToFloat(i32(key));
                    }
                    yield new GgufArray(et, a);
                }
                case FLOAT64 -> {
                    double[] a = new double[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = Double.longBitsToDouble(i64(key));
                    }
                    yield new GgufArray(et, a);
                }
                case BOOL -> {
                    boolean[] a = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (Boolean) value(GgufValueType.BOOL, key, depth);
                    }
                    yield new GgufArray(et, a);
                }
                case STRING -> {
                    String[] a = new String[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = string(key + "[" + i + "]");
                    }
                    yield new GgufArray(et, a);
                }
                case ARRAY -> {
                    GgufArray[] a = new GgufArray[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = array(key + "[" + i + "]", depth + 1);
                    }
                    yield new GgufArray(et, a);
                }
                default -> {
                    long[] a = new long[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = (Long) value(et, key, depth);
                    }
                    yield new GgufArray(et, a);
                }
            };
        }
    }
}
