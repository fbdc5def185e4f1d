// Reloads the policy when its file's content changes.
package org.platformd.driver.admin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the policy when its file's content changes. Polls (every 250 ms by default) and
 * compares a SHA-256 of the content, rather than using WatchService: editors save by
 * writing a new file and renaming it over the old one, which inotify on the file misses
 * and on the directory reports in bursts; a content hash catches every real change once and
 * ignores touches. A file that vanishes for a moment (mid-rename) is simply seen next time.
 */
public final class PolicyFileWatcher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PolicyFileWatcher.class);

    private final Path file;
    private final PolicyManager manager;
    private final ScheduledExecutorService timer;
    private byte[] lastHash;

    /** {@code loadedText}: the text the daemon loaded at start, so an edit made meanwhile is not missed. */
    public PolicyFileWatcher(Path file, PolicyManager manager, long periodMillis, String loadedText) {
        this.file = file;
        this.manager = manager;
        try {
            this.lastHash = MessageDigest.getInstance("SHA-256").digest(loadedText.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "platformd-policy-watch");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
        log.info("watching {} for changes", file);
    }

    private void check() {
        try {
            byte[] now = hash(file);
            if (now == null || Arrays.equals(now, lastHash)) {
                return;
            }
            lastHash = now;
            log.info("{} changed on disk: reloading", file);
            manager.reload(null, false);
        } catch (RuntimeException e) {
            log.error("policy watch of {} failed; will retry", file, e);
        }
    }

    private static byte[] hash(Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
