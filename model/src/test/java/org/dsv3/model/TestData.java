package org.dsv3.model;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Where tests find their data. With {@code -Ddsv3.testdata=/path/to/shared/testdata} (passed on by
 * surefire from the Maven property of the same name) tests read the full shared data set; without
 * it they read the small self-contained subset committed at {@code testdata/} in the repository
 * root (its README lists what it holds). A test that needs a file the subset lacks is skipped, not
 * failed, in subset mode; in full mode a missing file is an error.
 */
public final class TestData {
    public static final String PROPERTY = "dsv3.testdata";

    private TestData() {
    }

    /** True when the full shared data set was given. */
    public static boolean isFull() {
        String p = System.getProperty(PROPERTY, "");
        return !p.isBlank();
    }

    /** The directory tests read from: the full data set, or else the in-repository subset. */
    public static Path root() {
        if (isFull()) {
            Path p = Path.of(System.getProperty(PROPERTY)).toAbsolutePath();
            if (!Files.isDirectory(p)) {
                fail("-D" + PROPERTY + "=" + p + " is not a directory");
            }
            return p;
        }
        return subset();
    }

    /** The committed subset, {@code testdata/} in the repository root (found by walking up from the working directory). */
    public static Path subset() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("testdata");
            if (Files.isRegularFile(candidate.resolve("README.md")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return candidate;
            }
        }
        throw new IllegalStateException("no testdata/ subset found above " + Path.of("").toAbsolutePath());
    }

    /**
     * The file at {@code relative} (e.g. {@code models/quant/tiny-v3.q8_0.gguf}) under {@link #root()}.
     * When it is absent: skips the calling test in subset mode, fails it in full mode.
     */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        if (!Files.exists(p)) {
            if (isFull()) {
                fail("full test data lacks " + p);
            }
            Assumptions.assumeTrue(false, relative + " is not in the testdata/ subset; run with -D" + PROPERTY
                    + "=<shared testdata dir> for the full suite");
        }
        return p;
    }

    /** Skips the calling test unless the full data set was given. */
    public static Path requireFull(String why) {
        Assumptions.assumeTrue(isFull(), why + " needs the full test data (-D" + PROPERTY + "=<shared testdata dir>)");
        return root();
    }
}
