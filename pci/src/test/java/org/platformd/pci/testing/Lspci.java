package org.platformd.pci.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs the real lspci (pciutils 3.9.0) as the oracle. Fails, never skips, when it isn't installed. */
public final class Lspci {
    public static final Path BINARY = Path.of("/usr/bin/lspci");

    private Lspci() {
    }

    /** lspci's standard output for {@code args} (stderr, e.g. the libkmod warning, is discarded). */
    public static String run(String... args) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing: install pciutils (apt-get install pciutils)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY.toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            throw new IllegalStateException("lspci " + String.join(" ", args) + " exited " + rc);
        }
        return out;
    }
}
