package org.dsv3.model.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.dsv3.model.TestData;
import org.dsv3.model.quant.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    @TempDir
    Path tmp;

    private static GgufWriter sample() {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("deepseek2"));
        w.put("u8", new GgufValue(GgufValueType.UINT8, 255L));
        w.put("i8", new GgufValue(GgufValueType.INT8, -128L));
        w.put("u16", GgufValue.u16(65535));
        w.put("i16", new GgufValue(GgufValueType.INT16, -32768L));
        w.put("u32", GgufValue.u32(4_000_000_000L));
        w.put("i32", GgufValue.i32(-7));
        w.put("u64", GgufValue.u64(-1L));
        w.put("i64", new GgufValue(GgufValueType.INT64, Long.MIN_VALUE));
        w.put("f32", GgufValue.f32(0.0707f));
        w.put("f64", new GgufValue(GgufValueType.FLOAT64, Math.PI));
        w.put("bool", GgufValue.bool(true));
        w.put("str", GgufValue.string("<｜begin▁of▁sentence｜> ünïcödé"));
        w.put("arr.str", GgufValue.array(GgufArray.ofStrings("a", "", "Ġthe", "😀")));
        w.put("arr.i32", GgufValue.array(GgufArray.ofInts(GgufValueType.INT32, 1, -2, 3)));
        w.put("arr.f32", GgufValue.array(GgufArray.ofFloats(1.5f, -0f, Float.MIN_VALUE)));
        w.put("arr.bool", GgufValue.array(new GgufArray(GgufValueType.BOOL, new boolean[] {true, false})));
        w.put("arr.arr", GgufValue.array(new GgufArray(GgufValueType.ARRAY, new GgufArray[] {
                GgufArray.ofStrings("x", "y"), GgufArray.ofInts(GgufValueType.UINT8, 1, 2, 3)})));
        w.addTensor("a.weight", GgmlType.F32, new long[] {3, 2}, dst -> {
            for (int i = 0; i < 6; i++) {
                dst.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, i * 0.5f);
            }
        });
        w.addTensor("b.weight", GgmlType.Q8_0, new long[] {64, 3}, dst -> {
            for (long i = 0; i < dst.byteSize(); i++) {
                dst.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 7));
            }
        });
        w.addTensor("c.bias", GgmlType.F16, new long[] {5}, dst -> dst.fill((byte) 0x3c));
        return w;
    }

    @Test
    void everyValueTypeAndTensorSurvivesWriteAndRead() throws IOException {
        Path f = tmp.resolve("all.gguf");
        sample().write(f);
        try (GgufModel m = GgufModel.open(f)) {
            GgufMetadata md = m.metadata();
            assertEquals(255L, md.getLong("u8"));
            assertEquals(-128L, md.getLong("i8"));
            assertEquals(65535L, md.getLong("u16"));
            assertEquals(-32768L, md.getLong("i16"));
            assertEquals(4_000_000_000L, md.getLong("u32"));
            assertEquals(-7L, md.getLong("i32"));
            assertEquals(-1L, md.getLong("u64"));
            assertEquals(Long.MIN_VALUE, md.getLong("i64"));
            assertEquals(0.0707f, md.getFloat("f32"));
            assertEquals(Math.PI, (Double) md.get("f64").orElseThrow().value());
            assertTrue(md.getBool("bool"));
            assertEquals("<｜begin▁of▁sentence｜> ünïcödé", md.getString("str"));
            assertArrayEquals(new String[] {"a", "", "Ġthe", "😀"}, md.getStringArray("arr.str"));
            assertArrayEquals(new long[] {1, -2, 3}, md.getIntArray("arr.i32"));
            assertArrayEquals(new float[] {1.5f, -0f, Float.MIN_VALUE}, md.getFloatArray("arr.f32"));
            GgufArray nested = md.getArray("arr.arr");
            assertEquals(2, nested.length());
            assertArrayEquals(new long[] {1, 2, 3}, (long[]) ((GgufArray[]) nested.values())[1].values());
            // types are kept exactly, so a rewrite is identical
            assertEquals(GgufValueType.UINT8, md.get("u8").orElseThrow().type());

            GgufTensor a = m.tensor("a.weight");
            assertEquals(GgmlType.F32, a.type());
            assertArrayEquals(new long[] {3, 2}, a.dims());
            assertEquals(2.5f, a.data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 5));
            GgufTensor b = m.tensor("b.weight");
            assertEquals(3 * 2 * 34, b.byteSize());
            assertEquals((byte) (100 * 7), b.data().get(ValueLayout.JAVA_BYTE, 100));
            assertEquals(0, (m.tensor("c.bias").data().address() - m.shards().getFirst().dataOffset()) % 32 == 0 ? 0 : 1,
                    "tensor data is aligned");
        }
    }

    @Test
    void customAlignmentIsHonoured() throws IOException {
        Path f = tmp.resolve("aligned.gguf");
        GgufWriter w = sample();
        w.put("general.alignment", GgufValue.u32(64));
        w.write(f);
        try (GgufFile g = GgufFile.open(f)) {
            assertEquals(64, g.alignment());
            assertEquals(0, g.dataOffset() % 64);
            for (GgufTensor t : g.tensors().values()) {
                long off = t.data().address() - g.tensors().values().iterator().next().data().address();
                assertEquals(0, off % 64, t.name());
            }
        }
    }

    @Test
    void splitFilesLoadAsOneModelFromAnyShard() throws IOException {
        List<Path> shards = sample().writeSplit(tmp.resolve("model"), 3);
        assertEquals("model-00002-of-00003.gguf", shards.get(1).getFileName().toString());
        for (Path s : shards) {
            try (GgufModel m = GgufModel.open(s)) {
                assertEquals(3, m.tensors().size());
                assertEquals(3, m.shards().size());
                assertEquals("deepseek2", m.metadata().getString("general.architecture"));
                assertEquals(2.5f, m.tensor("a.weight").data().getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, 5));
            }
        }
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        List<Path> shards = sample().writeSplit(tmp.resolve("gone"), 3);
        Files.delete(shards.get(2));
        GgufException e = assertThrows(GgufException.class, () -> GgufModel.open(shards.get(0)));
        assertTrue(e.getMessage().contains("gone-00003-of-00003.gguf"), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void aShardFromAnotherSplitIsRefused() throws IOException {
        List<Path> a = sample().writeSplit(tmp.resolve("mix"), 3);
        Path other = tmp.resolve("other");
        Files.createDirectories(other);
        List<Path> b = sample().writeSplit(other.resolve("mix"), 2);
        Files.copy(b.get(1), a.get(1), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        GgufException e = assertThrows(GgufException.class, () -> GgufModel.open(a.get(0)));
        assertTrue(e.getMessage().contains("mix-00002-of-00003.gguf"), e.getMessage());
    }

    @Test
    void aShardOfAnotherModelWithMatchingNumbersIsRefused() throws IOException {
        List<Path> a = sample().writeSplit(tmp.resolve("same"), 3);
        // a shard numbered and counted as the one it replaces, but carrying another model's identity
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("llama"));
        w.put("split.no", GgufValue.u16(1));
        w.put("split.count", GgufValue.u16(3));
        w.put("split.tensors.count", GgufValue.i32(3));
        w.addTensor("x.weight", GgmlType.F32, new long[] {2}, dst -> { });
        w.write(a.get(1));
        GgufException e = assertThrows(GgufException.class, () -> GgufModel.open(a.get(0)));
        assertTrue(e.getMessage().contains("same-00002-of-00003.gguf") && e.getMessage().contains("general.architecture")
                && e.getMessage().contains("different models"), e.getMessage());
    }

    @Test
    void directoriesAndDevicesAreNamedForWhatTheyAre() throws IOException {
        GgufException dir = assertThrows(GgufException.class, () -> GgufModel.open(tmp));
        assertTrue(dir.getMessage().contains(tmp.toString()) && dir.getMessage().contains("is a directory"), dir.getMessage());
        Path devNull = Path.of("/dev/null");
        if (Files.exists(devNull)) {
            GgufException dev = assertThrows(GgufException.class, () -> GgufModel.open(devNull));
            assertTrue(dev.getMessage().contains("/dev/null") && dev.getMessage().contains("not a regular file"), dev.getMessage());
        }
        Path missing = tmp.resolve("no/such/dir/x.gguf");
        GgufException gone = assertThrows(GgufException.class, () -> GgufModel.open(missing));
        assertTrue(gone.getMessage().contains(missing.toString()) && gone.getMessage().contains("does not exist"), gone.getMessage());
    }

    @Test
    void realSplitModelMatchesTheUnsplitFile() {
        Path split = TestData.require("models/split/tiny-v3.q8_0-00001-of-00004.gguf");
        Path whole = TestData.require("models/quant/tiny-v3.q8_0.gguf");
        try (GgufModel s = GgufModel.open(split.resolveSibling("tiny-v3.q8_0-00004-of-00004.gguf"));
             GgufModel w = GgufModel.open(whole)) {
            assertEquals(w.tensors().keySet(), s.tensors().keySet());
            for (Map.Entry<String, GgufTensor> e : w.tensors().entrySet()) {
                GgufTensor t = s.tensor(e.getKey());
                assertEquals(e.getValue().type(), t.type());
                assertArrayEquals(e.getValue().dims(), t.dims());
                assertEquals(-1, e.getValue().data().mismatch(t.data()), e.getKey());
            }
        }
    }

    @Test
    void rewritingARealFileReproducesItsTensorsAndMetadata() throws IOException {
        Path src = TestData.require("models/quant/tiny-v3.q2_k.gguf");
        Path out = tmp.resolve("copy.gguf");
        try (GgufModel m = GgufModel.open(src)) {
            GgufWriter w = new GgufWriter().putAll(m.metadata().asMap());
            m.tensors().values().forEach(t -> w.addTensor(t.name(), t.type(), t.dims(), t.data()));
            w.write(out);
            try (GgufModel copy = GgufModel.open(out)) {
                assertEquals(m.metadata().asMap(), copy.metadata().asMap());
                for (GgufTensor t : m.tensors().values()) {
                    MemorySegment c = copy.tensor(t.name()).data();
                    assertEquals(-1, t.data().mismatch(c), t.name());
                }
            }
        }
        // llama.cpp's writer and ours lay a file out identically: same bytes.
        assertEquals(-1, Files.mismatch(src, out));
    }
}
