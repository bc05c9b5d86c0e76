package org.dsv3.cpu.kernels;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dsv3.model.TestData;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.model.quant.GgmlType;
import org.junit.jupiter.api.Test;

/** Vector kernels against the scalar formats on llama.cpp-written tensors. */
class VectorDotRealDataTest {
    private static final Pattern CUT = Pattern.compile("tiny-v3\\.[a-z0-9_]+\\.blocks-(\\w+)\\.bin");

    /** The block cuts of the committed subset (2048 values of each type of each quantized file). */
    @Test
    void subsetBlockCuts() throws IOException {
        List<Path> cuts = new java.util.ArrayList<>();
        for (String dir : new String[] {"derived/quant", "derived/iquant"}) {
            try (Stream<Path> files = Files.list(TestData.subset().resolve(dir))) {
                List<Path> here = files.filter(p -> CUT.matcher(p.getFileName().toString()).matches()).sorted().toList();
                assertFalse(here.isEmpty(), "no block cuts in " + dir);
                cuts.addAll(here);
            }
        }
        SplittableRandom rnd = new SplittableRandom(5);
        for (Path p : cuts) {
            Matcher m = CUT.matcher(p.getFileName().toString());
            m.matches();
            GgmlType t = GgmlType.valueOf(m.group(1));
            MemorySegment seg = MemorySegment.ofArray(Files.readAllBytes(p));
            int n = Math.toIntExact(seg.byteSize() / t.typeSize() * t.blockSize());
            checkRows(p.getFileName().toString(), t, seg, n, 256, rnd);
            checkRows(p.getFileName().toString(), t, seg, n, n, rnd);
        }
    }

    /** Every row of every tensor of every llama.cpp-written test model. */
    @Test
    void everyTensorOfTheTestModels() throws IOException {
        Path root = TestData.requireFull("every tensor of the GGUF test models");
        List<Path> models;
        try (Stream<Path> files = Files.list(root.resolve("models/quant"));
             Stream<Path> iquant = Files.list(root.resolve("iquant"))) {
            models = Stream.concat(Stream.concat(files, iquant).filter(p -> p.toString().endsWith(".gguf")),
                    Stream.of(root.resolve("models/tiny-v3.bf16.gguf"))).sorted().toList();
        }
        SplittableRandom rnd = new SplittableRandom(6);
        for (Path p : models) {
            try (GgufModel model = GgufModel.open(p)) {
                for (GgufTensor t : model.tensors().values()) {
                    int rowLength = Math.toIntExact(t.rowLength());
                    checkRows(p.getFileName() + " " + t, t.type(), t.data(), Math.toIntExact(t.elementCount()), rowLength, rnd);
                }
            }
        }
    }

    private static void checkRows(String what, GgmlType t, MemorySegment seg, int total, int rowLength, SplittableRandom rnd) {
        float[] x = VectorDotRandomTest.randomX(rnd, rowLength);
        float[] out = new float[rowLength];
        long rowBytes = t.bytesFor(rowLength);
        for (int r = 0; r < total / rowLength; r++) {
            long off = r * rowBytes;
            KernelCheck.assertDot(what + " row " + r, VectorDot.dot(t, seg, off, x, 0, rowLength), t, seg, off, x, 0, rowLength);
            VectorDot.dequantizeRow(t, seg, off, out, 0, rowLength);
            KernelCheck.assertDequantized(what + " row " + r, out, 0, t, seg, off, rowLength);
        }
    }
}
