package org.platformd.it.soak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A small soak (50 held sessions, 300 churn cycles of all three kinds) in a JVM of its own — the soak
 * measures its whole process, so other tests' daemons and threads must not share it — must end with
 * fds, threads, sessions, tasks and maps back where they started and nothing lost.
 */
class SoakTest {
    private static final Pattern LINE = Pattern.compile("soak: (\\d+) sessions, (\\d+) cycles, fds ([-+]\\d+), threads"
            + " ([-+]\\d+), sessions ([-+]\\d+), tasks ([-+]\\d+), maps ([-+]\\d+), heap [-+]\\d+ KiB,"
            + " rss [-+]\\d+ KiB, (\\d+) lost");

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    void aSmallSoakLeavesNothingBehind() throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms256m", "-Xmx256m", "-cp", System.getProperty("java.class.path"), Soak.class.getName(),
                "--sessions", "50", "--churn", "300", "--settle", "180")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        p.getInputStream().transferTo(out);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the soak ended");
        String report = out.toString(StandardCharsets.UTF_8);
        System.out.println(report);
        Matcher m = LINE.matcher(report);
        assertTrue(m.find(), "the soak's last line:\n" + report);
        assertEquals(List.of("50", "300", "+0", "+0", "+0", "+0", "+0", "0"),
                List.of(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), m.group(6), m.group(7), m.group(8)),
                "sessions, cycles, fds, threads, sessions left, tasks, maps, lost:\n" + report);
        assertEquals(0, p.exitValue(), report);
    }
}
