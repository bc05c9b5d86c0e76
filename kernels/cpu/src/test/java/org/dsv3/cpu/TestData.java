package org.dsv3.cpu;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the reference data lives: the directory of system property {@code dsv3.testdata} (the full
 * set, e.g. {@code /work/shared/testdata}) or, when it is not set, the small subset checked in at
 * {@code <repo>/testdata/}. A file missing from the full set is a failure; a file missing from the
 * subset skips the test with a message saying how to run it.
 */
final class TestData {
    private static final Path FULL;
    private static final Path DIR;

    static {
        String p = System.getProperty("dsv3.testdata", "");
        FULL = p.isBlank() ? null : Path.of(p);
        DIR = FULL != null ? FULL : repoSubset();
    }

    private TestData() {
    }

    private static Path repoSubset() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            if (Files.isDirectory(dir.resolve("testdata")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir.resolve("testdata");
            }
            dir = dir.getParent();
        }
        return Path.of("testdata");
    }

    static boolean isFullSet() {
        return FULL != null;
    }

    /** {@code relative} inside the data directory; fails or skips (see class comment) when absent. */
    static Path require(String relative) {
        Path f = DIR.resolve(relative);
        if (FULL != null) {
            if (!Files.isRegularFile(f)) {
                throw new AssertionError("missing reference file " + f + " (dsv3.testdata=" + FULL + ")");
            }
        } else {
            assumeTrue(Files.isRegularFile(f), () -> relative + " is not in the in-repo subset " + DIR
                    + "; run with -Ddsv3.testdata=/path/to/shared/testdata for the full conformance suite");
        }
        return f;
    }

    static JsonNode json(String relative) {
        try {
            return new ObjectMapper().readTree(require(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] floats(Path file) {
        try {
            byte[] b = Files.readAllBytes(file);
            float[] f = new float[b.length / 4];
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
