package org.dsv3.model.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.dsv3.model.quant.GgmlType;

/**
 * Writes GGUF v3 files the way llama.cpp's {@code gguf} writer lays them out: header, metadata,
 * tensor infos, padding to the alignment, then every tensor's bytes at an aligned offset. Tensor
 * bytes are produced by a filler that writes straight into the memory-mapped output, so files far
 * larger than the heap can be written. {@link #writeSplit} cuts the tensors over several shards as
 * {@code llama-gguf-split} does (metadata in the first shard only, {@code split.*} keys in all).
 */
public final class GgufWriter {
    /** Writes one tensor's bytes into {@code destination}, which has exactly the tensor's byte size. */
    public interface TensorFiller extends Consumer<MemorySegment> {
    }

    private record PendingTensor(String name, GgmlType type, long[] dims, long bytes, TensorFiller filler) {
    }

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    public GgufWriter put(String key, GgufValue value) {
        if (key.equals("general.alignment")) {
            long a = (Long) value.value();
            if (a <= 0 || Long.bitCount(a) != 1) {
                throw new IllegalArgumentException("alignment must be a power of two: " + a);
            }
            alignment = (int) a;
        }
        metadata.put(key, value);
        return this;
    }

    public GgufWriter putAll(Map<String, GgufValue> values) {
        values.forEach(this::put);
        return this;
    }

    public GgufWriter addTensor(String name, GgmlType type, long[] dims, TensorFiller filler) {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        tensors.add(new PendingTensor(name, type, dims.clone(), type.bytesFor(n), filler));
        return this;
    }

    /** Adds a tensor whose bytes are copied from {@code data} (e.g. a tensor of another file). */
    public GgufWriter addTensor(String name, GgmlType type, long[] dims, MemorySegment data) {
        return addTensor(name, type, dims, dst -> dst.copyFrom(data));
    }

    public void write(Path out) throws IOException {
        writeShard(out, metadata, tensors);
    }

    /**
     * Writes {@code shardCount} shards named {@code <prefix>-NNNNN-of-NNNNN.gguf} next to
     * {@code prefix}, tensors distributed in order and as evenly as possible. Returns the paths.
     */
    public List<Path> writeSplit(Path prefix, int shardCount) throws IOException {
        if (shardCount < 1 || shardCount > tensors.size()) {
            throw new IllegalArgumentException("cannot split " + tensors.size() + " tensors into " + shardCount + " shards");
        }
        List<Path> paths = new ArrayList<>();
        int from = 0;
        for (int s = 0; s < shardCount; s++) {
            int to = (int) ((long) tensors.size() * (s + 1) / shardCount);
            Map<String, GgufValue> kv = new LinkedHashMap<>();
            if (s == 0) {
                kv.putAll(metadata);
            } else if (metadata.containsKey("general.alignment")) {
                kv.put("general.alignment", metadata.get("general.alignment"));
            }
            kv.put("split.no", GgufValue.u16(s));
            kv.put("split.count", GgufValue.u16(shardCount));
            kv.put("split.tensors.count", GgufValue.i32(tensors.size()));
            Path p = prefix.resolveSibling(String.format("%s-%05d-of-%05d.gguf", prefix.getFileName(), s + 1, shardCount));
            writeShard(p, kv, tensors.subList(from, to));
            paths.add(p);
            from = to;
        }
        return paths;
    }

    private void writeShard(Path out, Map<String, GgufValue> kv, List<PendingTensor> list) throws IOException {
        HeaderBuffer h = new HeaderBuffer();
        h.i32(GgufFile.MAGIC);
        h.i32(3);
        h.i64(list.size());
        h.i64(kv.size());
        for (Map.Entry<String, GgufValue> e : kv.entrySet()) {
            h.string(e.getKey());
            h.i32(e.getValue().type().id());
            h.value(e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        long[] offsets = new long[list.size()];
        for (int i = 0; i < list.size(); i++) {
            PendingTensor t = list.get(i);
            h.string(t.name);
            h.i32(t.dims.length);
            for (long d : t.dims) {
                h.i64(d);
            }
            h.i32(t.type.id());
            offsets[i] = offset;
            h.i64(offset);
            offset = align(offset + t.bytes, alignment);
        }
        long dataStart = align(h.size(), alignment);
        long total = dataStart + (list.isEmpty() ? 0 : offsets[list.size() - 1] + list.getLast().bytes);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
             Arena arena = Arena.ofConfined()) {
            MemorySegment file = ch.map(FileChannel.MapMode.READ_WRITE, 0, total, arena);
            file.asSlice(0, h.size()).copyFrom(MemorySegment.ofArray(h.toArray()));
            for (int i = 0; i < list.size(); i++) {
                PendingTensor t = list.get(i);
                t.filler.accept(file.asSlice(dataStart + offsets[i], t.bytes));
            }
            file.force();
        }
    }

    static long align(long v, int alignment) {
        return (v + alignment - 1) / alignment * alignment;
    }

    /** A growable little-endian byte buffer for the header and metadata. */
    private static final class HeaderBuffer {
        private ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        private void ensure(int n) {
            if (buf.remaining() < n) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buf.capacity() * 2, buf.position() + n))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buf.flip();
                bigger.put(buf);
                buf = bigger;
            }
        }

        int size() {
            return buf.position();
        }

        byte[] toArray() {
            byte[] a = new byte[buf.position()];
            buf.duplicate().flip().get(a);
            return a;
        }

        void i8(int v) {
            ensure(1);
            buf.put((byte) v);
        }

        void i16(int v) {
            ensure(2);
            buf.putShort((short) v);
        }

        void i32(int v) {
            ensure(4);
            buf.putInt(v);
        }

        void i64(long v) {
            ensure(8);
            buf.putLong(v);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            ensure(b.length);
            buf.put(b);
        }

        void value(GgufValueType type, Object v) {
            switch (type) {
                case UINT8, INT8 -> i8((int) (long) (Long) v);
                case UINT16, INT16 -> i16((int) (long) (Long) v);
                case UINT32, INT32 -> i32((int) (long) (Long) v);
                case UINT64, INT64 -> i64((Long) v);
                case FLOAT32 -> i32(Float.floatToRawIntBits((Float) v));
                case FLOAT64 -> i64(Double.doubleToRawLongBits((Double) v));
                case BOOL -> i8((Boolean) v ? 1 : 0);
                case STRING -> string((String) v);
                case ARRAY -> array((GgufArray) v);
            }
        }

        void array(GgufArray a) {
            i32(a.elementType().id());
            i64(a.length());
            switch (a.values()) {
                case long[] l -> {
                    for (long x : l) {
                        value(a.elementType(), x);
                    }
                }
                case float[] f -> {
                    for (float x : f) {
                        i32(Float.floatToRawIntBits(x));
                    }
                }
                case double[] d -> {
                    for (double x : d) {
                        i64(Double.doubleToRawLongBits(x));
                    }
                }
                case boolean[] b -> {
                    for (boolean x : b) {
                        i8(x ? 1 : 0);
                    }
                }
                case String[] s -> {
                    for (String x : s) {
                        string(x);
                    }
                }
                case GgufArray[] n -> {
                    for (GgufArray x : n) {
                        array(x);
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
    }
}
