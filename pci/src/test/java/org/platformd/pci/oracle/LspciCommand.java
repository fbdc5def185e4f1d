package org.platformd.pci.oracle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one lspci binary with arguments and returns its standard output.
 *
 * <p>lspci 3.9.0 on Debian prints "Unable to load libkmod resources" on stderr even when it
 * succeeds, so stderr alone is not a failure: only a non-zero exit status, a timeout or a
 * binary that can't be started are. stdout and stderr are drained concurrently so a chatty
 * stderr can never block the child.
 */
final class LspciCommand {
    static final Path DEFAULT_BINARY = Path.of("/usr/bin/lspci");
    private static final Logger LOG = LoggerFactory.getLogger(LspciCommand.class);
    private static final long TIMEOUT_SECONDS = 120;

    private final Path binary;

    LspciCommand(Path binary) {
        this.binary = binary;
    }

    /**
     * @param source what the output describes, for error messages ("dump FILE" or "live")
     */
    String run(String source, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        if (!Files.isExecutable(binary)) {
            throw new LspciException(source + ": lspci not found or not executable at " + binary
                    + " (install pciutils 3.9.0); command was " + String.join(" ", command));
        }
        Process process;
        try {
            process = new ProcessBuilder(command).start();
        } catch (IOException e) {
            throw new LspciException(source + ": cannot start " + String.join(" ", command), e);
        }
        try { // lspci reads nothing from stdin
            process.getOutputStream().close();
        } catch (IOException e) {
            LOG.debug("{}: closing lspci stdin failed", source, e);
        }
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        String out = drain(process.getInputStream());
        try {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new LspciException(source + ": " + String.join(" ", command)
                        + " did not finish within " + TIMEOUT_SECONDS + " s");
            }
            String stderr = err.get();
            int status = process.exitValue();
            if (status != 0) {
                throw new LspciException(source + ": " + String.join(" ", command)
                        + " exited with status " + status + ": " + stderr.strip());
            }
            if (!stderr.isBlank()) {
                LOG.debug("{}: lspci stderr: {}", source, stderr.strip());
            }
            return out;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new LspciException(source + ": interrupted while waiting for lspci", e);
        } catch (ExecutionException e) {
            throw new LspciException(source + ": reading lspci's stderr failed", e.getCause());
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new LspciException("reading lspci output failed", e);
        }
    }
}
