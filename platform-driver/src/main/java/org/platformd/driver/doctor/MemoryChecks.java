// Memory the backend pins: RLIMIT_MEMLOCK.
package org.platformd.driver.doctor;

import java.util.List;
import java.util.Optional;
import org.platformd.bridge.linux.HugePages;

/**
 * Memory the backend pins: RLIMIT_MEMLOCK (VFIO accounts pinned DMA pages to it unless the process has
 * CAP_IPC_LOCK) and the 2 MiB huge-page pool (DMA at physical addresses when there is no IOMMU).
 */
final class MemoryChecks {
    private static final int CAP_IPC_LOCK = 14;

    private MemoryChecks() {}

    /** Whose limits are judged: the daemon's (pid from its state directory's lock) or, with none, this process's. */
    record Subject(String proc, String described) {}

    static Subject subject(Examined e) {
        Optional<String> pid = e.machine().read(e.stateDir().resolve("lock").toAbsolutePath().toString())
                .filter(p -> p.matches("\\d+"))
                .filter(p -> e.machine().exists("/proc/" + p + "/limits"));
        return pid.map(p -> new Subject("/proc/" + p, "the daemon (pid " + p + ", from " + e.stateDir().resolve("lock") + ")"))
                .orElse(new Subject("/proc/self", "this process (no running linux-backend daemon found; one started from"
                        + " this shell inherits these limits, one started by systemd gets the unit's)"));
    }

    static List<Verdict> memlock(Examined e) {
        Subject who = subject(e);
        if (!e.iommuOn()) {
            return List.of(Verdict.ok("memlock", "no IOMMU: VFIO pins nothing, and huge-page DMA buffers do not count"
                    + " against RLIMIT_MEMLOCK"));
        }
        long need = e.policy().totalDmaQuota();
        if (hasCapability(e.machine(), who.proc(), CAP_IPC_LOCK)) {
            return List.of(Verdict.ok("memlock", who.described() + " has CAP_IPC_LOCK: VFIO may pin beyond RLIMIT_MEMLOCK"
                    + " (the policies' DMA quotas add up to " + Bytes.human(need) + ")"));
        }
        Optional<Long> soft = softMemlock(e.machine(), who.proc());
        if (soft.isEmpty()) {
            return List.of(Verdict.warn("memlock", "cannot read the locked-memory limit of " + who.described(),
                    "check `ulimit -l`; LimitMEMLOCK=infinity in the unit (packaging/platformd.service sets it)"));
        }
        String limit = soft.get() == Long.MAX_VALUE ? "unlimited" : Bytes.human(soft.get());
        if (soft.get() >= need) {
            return List.of(Verdict.ok("memlock", "locked-memory limit of " + who.described() + ": " + limit
                    + ", enough for the policies' DMA quotas (" + Bytes.human(need) + ")"));
        }
        return List.of(Verdict.warn("memlock", "locked-memory limit of " + who.described() + ": " + limit
                        + ", below the policies' DMA quotas (" + Bytes.human(need) + "): VFIO refuses to pin DMA buffers"
                        + " beyond it",
                "LimitMEMLOCK=infinity in the unit (packaging/platformd.service sets it), or `ulimit -l unlimited`"
                        + " before starting the daemon, or run it with CAP_IPC_LOCK"));
    }

    /** The soft "Max locked memory" of /proc/PID/limits; Long.MAX_VALUE for unlimited. */
    static Optional<Long> softMemlock(MachineRoot m, String proc) {
        return m.read(proc + "/limits").flatMap(text -> text.lines()
                .filter(l -> l.startsWith("Max locked memory")).findFirst()
                .map(l -> l.substring("Max locked memory".length()).trim().split("\\s+")[0])
                .flatMap(v -> {
                    if (v.equals("unlimited")) {
                        return Optional.of(Long.MAX_VALUE);
                    }
                    try {
                        return Optional.of(Long.parseLong(v));
                    } catch (NumberFormatException ex) {
                        return Optional.empty();
                    }
                }));
    }

    /** Whether CapEff in /proc/PID/status has capability {@code bit}. */
    static boolean hasCapability(MachineRoot m, String proc, int bit) {
        return m.read(proc + "/status").flatMap(text -> text.lines().filter(l -> l.startsWith("CapEff:")).findFirst())
                .map(l -> {
                    try {
                        return (Long.parseUnsignedLong(l.substring("CapEff:".length()).trim(), 16) >>> bit & 1) == 1;
                    } catch (NumberFormatException ex) {
                        return false;
                    }
                }).orElse(false);
    }

    static List<Verdict> hugePages(Examined e) {
        HugePages pool = new HugePages(e.machine().path(HugePages.SYSTEM.toString()));
        if (e.iommuOn()) {
            return List.of(Verdict.ok("hugepages", pool.status() + "; not needed while the IOMMU confines DMA"
                    + " (VFIO maps ordinary memory)"));
        }
        if (pool.reserved() > 0) {
            return List.of(Verdict.ok("hugepages", pool.status() + ": DMA buffers at physical addresses for grants with"
                    + " dma_unprotected=\"yes\""));
        }
        String fix = "reserve them at boot, low in memory, for devices with narrow DMA masks: hugepages=64 on the kernel"
                + " command line; or now: echo 64 > /proc/sys/vm/nr_hugepages";
        if (e.policy().grantsUnprotectedDma()) {
            return List.of(Verdict.fail("hugepages", pool.status() + ", no IOMMU, and the policy grants"
                    + " dma_unprotected=\"yes\": every DMA buffer is refused", fix));
        }
        return List.of(Verdict.warn("hugepages", pool.status() + " and no IOMMU: no DMA buffers for anyone", fix));
    }
}
