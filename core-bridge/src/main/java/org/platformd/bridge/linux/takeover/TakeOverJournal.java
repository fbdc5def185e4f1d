// What the linux backend took from which driver, kept on disk under a state directory.
package org.platformd.bridge.linux.takeover;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.pci.BusAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the linux backend took from which driver, kept on disk under a state directory, and the lock that
 * makes one backend the only one driving this machine's devices.
 *
 * <p>Why: a daemon killed with SIGKILL (or losing power mid-run) gives nothing back; its devices stay on
 * vfio-pci, perhaps still mastering DMA. {@link #record} is written <em>before</em> a binding changes and
 * {@link #forget} after it was given back, each as a whole new file (write to a temporary file, fsync,
 * rename over the journal, fsync the folder), so the next start reads either the old or the new state,
 * never half of one ({@link #leftBehind()}). The lock ({@code lock} in the same folder, held for the
 * backend's life, with the holder's pid written in it for the message) keeps a second daemon from taking
 * the same devices even when it listens on another socket. It is an fcntl record lock (Java's
 * {@link FileChannel#tryLock()}), which the kernel drops when the holder dies, however it dies.
 *
 * <p>File format, one function a line: {@code BDF DRIVER PREVIOUS} (PREVIOUS is {@code -} for no driver).
 * Thread-safe (synchronized).
 */
public final class TakeOverJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TakeOverJournal.class);
    private static final String JOURNAL = "taken-over";
    private static final String LOCK = "lock";

    /** One function taken: now on {@code driver}, before on {@code previous}. */
    record Entry(BusAddress address, String driver, Optional<String> previous) {
        String line() {
            return address + " " + driver + " " + previous.orElse("-");
        }

        static Entry parse(String line) {
            String[] f = line.trim().split(" ");
            if (f.length != 3) {
                throw new IllegalArgumentException("expected 'BDF DRIVER PREVIOUS', got '" + line + "'");
            }
            return new Entry(BusAddress.parse(f[0]), f[1], f[2].equals("-") ? Optional.empty() : Optional.of(f[2]));
        }
    }

    private final Path dir;
    private final FileChannel lockFile;
    private final FileLock lock;
    private final List<Entry> leftBehind;
    private final Map<BusAddress, Entry> entries = new LinkedHashMap<>();

    private TakeOverJournal(Path dir, FileChannel lockFile, FileLock lock, List<Entry> leftBehind) {
        this.dir = dir;
        this.lockFile = lockFile;
        this.lock = lock;
        this.leftBehind = leftBehind;
        leftBehind.forEach(e -> entries.put(e.address(), e));
    }

    /**
     * Creates the folder (mode 0700) when missing, takes its lock and reads what a daemon before left behind.
     *
     * @throws BridgeException BUSY when another live process holds the lock (its pid in the message); OS_ERROR
     *                         when the folder or its files can't be used, or the journal can't be read
     */
    static TakeOverJournal open(Path dir) {
        FileChannel ch = null;
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock l;
            try {
                l = ch.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                l = null; // this JVM holds it already: another backend here
            }
            if (l == null) {
                String holder = Files.readString(dir.resolve(LOCK)).trim();
                ch.close();
                throw new BridgeException(Reason.BUSY, null, "another platformd" + (holder.isEmpty() ? ""
                        : " (pid " + holder + ")") + " holds " + dir.resolve(LOCK) + " and drives this machine's"
                        + " devices: two daemons must not take the same devices (stop it, or give this one another"
                        + " --state-dir only if it drives other hardware)");
            }
            ch.truncate(0);
            ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            ch.force(true);
            List<Entry> left = new ArrayList<>();
            Path journal = dir.resolve(JOURNAL);
            if (Files.exists(journal)) {
                for (String line : Files.readAllLines(journal)) {
                    if (!line.isBlank()) {
                        left.add(Entry.parse(line));
                    }
                }
            }
            return new TakeOverJournal(dir, ch, l, List.copyOf(left));
        } catch (IOException | IllegalArgumentException e) {
            closeQuietly(ch);
            throw new BridgeException(Reason.OS_ERROR, null, "state directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** What the journal held at {@link #open}: functions a daemon before took and never gave back. */
    List<Entry> leftBehind() {
        return leftBehind;
    }

    /** Records a take-over before it happens (durable when this returns). */
    synchronized void record(Entry e) {
        entries.put(e.address(), e);
        persist();
    }

    /** Forgets a function once it is back on its driver (durable when this returns). */
    synchronized void forget(BusAddress a) {
        if (entries.remove(a) != null) {
            persist();
        }
    }

    private void persist() {
        Path tmp = dir.resolve(JOURNAL + ".tmp");
        StringBuilder text = new StringBuilder();
        entries.values().forEach(e -> text.append(e.line()).append('\n'));
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII));
                while (b.hasRemaining()) {
                    out.write(b);
                }
                out.force(true);
            }
            try {
                Files.move(tmp, dir.resolve(JOURNAL), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the state directory can't rename atomically: " + e.getMessage(), e);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true); // the rename itself
            }
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, null, "writing " + dir.resolve(JOURNAL) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            lock.release();
        } catch (IOException e) {
            log.debug("releasing {}: {} (it goes with the file's close all the same)", dir.resolve(LOCK), e.toString());
        }
        closeQuietly(lockFile);
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException e) {
                log.debug("closing the state directory's lock file: {}", e.toString());
            }
        }
    }
}
