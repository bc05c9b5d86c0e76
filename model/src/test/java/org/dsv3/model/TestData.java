package org.dsv3.model;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the reference data lives: the folder named by the system property {@code dsv3.testdata}
 * (CI points it at ../shared/testdata), else the small subset committed under {@code testdata/}
 * at the repository root. A test that needs a file the subset lacks is skipped, with the file named.
 */
public final class TestData {
    private TestData() {
    }

    public static Path root() {
        String prop = System.getProperty("dsv3.testdata", "");
        if (!prop.isBlank()) {
            return Path.of(prop);
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.isDirectory(dir.resolve("testdata")) ) {
            dir = dir.getParent();
        }
        return dir == null ? Path.of("testdata") : dir.resolve("testdata");
    }

    public static boolean isFull() {
        return !System.getProperty("dsv3.testdata", "").isBlank();
    }

    /** The file at {@code relative}, or the test is skipped (visibly) when this data set lacks it. */
    public static Path require(String relative) {
        Path p = root().resolve(relative);
        assumeTrue(Files.exists(p), () -> "skipped: " + relative + " is not in " + root()
                + " (run with -Ddsv3.testdata=../shared/testdata for the full suite)");
        return p;
    }

    public static boolean has(String relative) {
        return Files.exists(root().resolve(relative));
    }
}
