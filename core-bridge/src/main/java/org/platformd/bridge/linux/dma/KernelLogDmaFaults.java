// IOMMU faults as the kernel logs them: user space gets no other word of them.
package org.platformd.bridge.linux.dma;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DmaFault;
import org.platformd.bridge.linux.Sys;
import org.platformd.fd.LibC;
import org.platformd.fd.NativeFd;
import org.platformd.pci.BusAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IOMMU faults as the kernel logs them: user space gets no other word of them (VFIO has no fault
 * interface for type-1 containers). A thread reads {@code /dev/kmsg} from its end at start (old records
 * are not replayed) and keeps the faults of the devices {@code ours} accepts (those attached to one of
 * the backend's DMA domains): the Intel VT-d driver's
 * {@code DMAR: [DMA Read NO_PASID] Request device [00:03.0] fault addr 0x7000000 [fault reason 0x06] PTE
 * Read access is not set} (bus:device.function on PCI segment 0, as it prints them) and AMD-Vi's
 * {@code vfio-pci 0000:00:03.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0002 address=0x7000000
 * flags=0x0020]} (bit 5 of flags: a write). Only the kernel's own records count (facility 0): a process
 * writing to /dev/kmsg can't fake one. The last {@value #KEPT} faults are kept, with the total.
 * The kernel rate-limits these messages, so a storm is reported in part; the length of an access is
 * never said (0). Thread-safe (synchronized; one reader thread, stopped by {@link #close()}).
 */
final class KernelLogDmaFaults implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KernelLogDmaFaults.class);
    static final int KEPT = 256;
    private static final int POLLIN = 1;
    private static final int SEEK_END = 2;
    private static final int EPIPE = 32;

    private static final Pattern INTEL = Pattern.compile("DMAR: \\[DMA (Read|Write)[^\\]]*\\] Request device "
            + "\\[([0-9a-f]{2}):([0-9a-f]{2})\\.([0-7])\\](?: PASID \\S+)? fault addr (?:0x)?([0-9a-f]+)"
            + "(?: \\[fault reason (?:0x)?([0-9a-f]+)\\] ?(.*))?");
    private static final Pattern AMD = Pattern.compile("([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-7]): AMD-Vi: Event"
            + " logged \\[IO_PAGE_FAULT domain=0x[0-9a-f]+ address=0x([0-9a-f]+) flags=0x([0-9a-f]+)\\]");

    private final NativeFd fd;
    private final Predicate<BusAddress> ours;
    private final Clock clock;
    private final ArrayDeque<DmaFault> recent = new ArrayDeque<>();
    private long count;
    private volatile boolean closed;
    private final Thread reader;

    private KernelLogDmaFaults(NativeFd fd, Predicate<BusAddress> ours, Clock clock) {
        this.fd = fd;
        this.ours = ours;
        this.clock = clock;
        reader = new Thread(this::read, "platformd-kmsg-dma-faults");
        reader.setDaemon(true);
    }

    /**
     * Starts reading {@code kmsg} (the kernel log device, or a FIFO of records in its format for tests).
     *
     * @throws BridgeException OS_ERROR when it can't be opened (not root: CAP_SYSLOG with dmesg_restrict)
     */
    static KernelLogDmaFaults open(Path kmsg, Predicate<BusAddress> ours, Clock clock) {
        NativeFd fd = Sys.open(kmsg, LibC.O_RDONLY | LibC.O_NONBLOCK, null);
        if (Sys.C.lseek(fd.fd(), 0, SEEK_END) < 0) {
            log.debug("{}: no seek to its end ({}): a pipe, nothing old to skip", kmsg, Sys.describe(Sys.errno()));
        }
        KernelLogDmaFaults f = new KernelLogDmaFaults(fd, ours, clock);
        f.reader.start();
        return f;
    }

    private void read() {
        byte[] buf = new byte[8192];
        byte[] pollfd = new byte[8];
        java.nio.ByteBuffer.wrap(pollfd).order(java.nio.ByteOrder.nativeOrder()).putInt(0, fd.fd()).putShort(4,
                (short) POLLIN);
        while (!closed) {
            int ready = Sys.C.poll(pollfd, 1, 250);
            if (closed) {
                return;
            }
            if (ready <= 0) {
                continue;
            }
            long n = Sys.C.read(fd.fd(), buf, buf.length);
            if (n > 0) {
                // /dev/kmsg gives one record per read; a FIFO may give several lines at once
                for (String record : new String(buf, 0, (int) n, StandardCharsets.UTF_8).split("\n")) {
                    parse(record, clock.instant()).filter(f -> ours.test(((DeviceRef.Pci) f.device()).address()))
                            .ifPresent(this::add);
                }
            } else if (n == 0) {
                sleep(); // a FIFO whose writer went away: poll says so at once until the next writer
            } else {
                int e = Sys.errno();
                if (e != LibC.EAGAIN && e != LibC.EINTR && e != EPIPE) { // EPIPE: records overwritten
                    log.error("reading the kernel log for IOMMU faults stopped: {}", Sys.describe(e));
                    return;
                }
            }
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void add(DmaFault f) {
        if (recent.size() == KEPT) {
            recent.removeFirst();
        }
        recent.addLast(f);
        count++;
        log.debug("IOMMU fault from the kernel log: {}", f); // the daemon logs it against its session
    }

    /** A kernel record ({@code prio,seq,usec,flags;message}) as an IOMMU fault, if it is the kernel's and one. */
    static Optional<DmaFault> parse(String record, Instant when) {
        int semi = record.indexOf(';');
        int comma = record.indexOf(',');
        if (semi < 0 || comma < 0 || comma > semi) {
            return Optional.empty();
        }
        int prio;
        try {
            prio = Integer.parseInt(record.substring(0, comma));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (prio >> 3 != 0) {
            return Optional.empty(); // not the kernel's own (user space wrote it to /dev/kmsg)
        }
        String message = record.substring(semi + 1);
        Matcher m = INTEL.matcher(message);
        if (m.find()) {
            BusAddress a = BusAddress.parse(String.format("0000:%s:%s.%s", m.group(2), m.group(3), m.group(4)));
            String reason = m.group(6) == null ? "IOMMU fault (Intel VT-d)"
                    : "IOMMU fault (Intel VT-d) reason 0x" + m.group(6) + ": " + m.group(7).trim();
            return Optional.of(new DmaFault(DeviceRef.pci(a), Long.parseUnsignedLong(m.group(5), 16), 0,
                    m.group(1).equals("Write"), reason, when));
        }
        m = AMD.matcher(message);
        if (m.find()) {
            int flags = Integer.parseInt(m.group(3), 16);
            return Optional.of(new DmaFault(DeviceRef.pci(BusAddress.parse(m.group(1))),
                    Long.parseUnsignedLong(m.group(2), 16), 0, (flags & 0x20) != 0,
                    "IOMMU fault (AMD-Vi IO_PAGE_FAULT flags 0x" + m.group(3) + ")", when));
        }
        return Optional.empty();
    }

    synchronized List<DmaFault> recent() {
        return List.copyOf(recent);
    }

    synchronized long count() {
        return count;
    }

    @Override
    public void close() {
        closed = true;
        try {
            reader.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fd.close();
    }
}
