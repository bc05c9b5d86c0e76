package org.dsv3.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code ./dsv3} launcher's stderr filter, run by bash on its own: it drops the JVM's incubator
 * notice when that is the first line, and passes everything else through byte for byte.
 */
class LauncherTest {
    private static final String NOTICE = "WARNING: Using incubator modules: jdk.incubator.vector\n";

    private static Path launcher() {
        for (Path p : List.of(Path.of("dsv3"), Path.of("../dsv3"))) {
            if (Files.isRegularFile(p)) {
                return p.toAbsolutePath();
            }
        }
        throw new AssertionError("the dsv3 launcher is not in the working directory or its parent");
    }

    /** What the filter writes for {@code input}. */
    private static String filter(String input) throws IOException, InterruptedException {
        // the function definition (and the notice it compares with) cut out of the launcher, then fed input
        String script = "eval \"$(sed -n -e '/^INCUBATOR_WARNING=/p' -e '/^drop_incubator_warning() {/,/^}/p' \"$1\")\"\n"
                + "drop_incubator_warning";
        Process p = new ProcessBuilder("bash", "-c", script, "bash", launcher().toString()).redirectErrorStream(true).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    @Test
    void dropsOnlyTheFirstLineNotice() throws Exception {
        assertEquals("dsv3: mapped x\n\rreading [==>  ]\rread 3 MiB\n", filter(NOTICE + "dsv3: mapped x\n\rreading [==>  ]\rread 3 MiB\n"));
        assertEquals("", filter(NOTICE));
        assertEquals("first\n" + NOTICE, filter("first\n" + NOTICE), "a later line that happens to read the same stays");
        assertEquals("dsv3 run: an error\n", filter("dsv3 run: an error\n"), "without the notice nothing is lost");
        assertEquals("no newline", filter("no newline"));
        assertEquals("", filter(""));
    }
}
