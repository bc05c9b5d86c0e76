package org.dsv3.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the reference files of the test data ({@link TestData} decides where they are and skips when absent). */
public final class ReferenceFiles {
    private ReferenceFiles() {
    }

    public static JsonNode json(String relative) {
        try {
            return new ObjectMapper().readTree(TestData.require(relative).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The token ids of case {@code i} of a {@code cases.json}. */
    public static int[] tokens(String casesJson, int i) {
        JsonNode t = json(casesJson).get("cases").get(i).get("tokens");
        int[] tokens = new int[t.size()];
        for (int k = 0; k < tokens.length; k++) {
            tokens[k] = t.get(k).asInt();
        }
        return tokens;
    }

    /** A little-endian float32 file. */
    public static float[] floats(Path file) {
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
