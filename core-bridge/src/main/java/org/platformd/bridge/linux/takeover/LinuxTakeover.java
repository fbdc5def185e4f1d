// Taking PCI functions from their kernel drivers and giving them back, revoking what clients kept of them.
// Over 400 lines on purpose: take-over, give-back, recovery and revocation are one registry under one lock
// (which functions are ours, which are exported or quarantined, whether a group is still in use); split
// apart, each part would need the others' state and lock.
package org.platformd.bridge.linux.takeover;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DeviceTakeover;
import org.platformd.bridge.ResourceInfo;
import org.platformd.bridge.BackendResource;
import org.platformd.bridge.linux.LinuxCapabilities;
import org.platformd.bridge.linux.LinuxDevices;
import org.platformd.bridge.linux.Sys;
import org.platformd.bridge.linux.SysfsDevice;
import org.platformd.bridge.linux.SysfsPciConfig;
import org.platformd.bridge.linux.vfio.VfioContainer;
import org.platformd.bridge.linux.vfio.VfioDevice;
import org.platformd.bridge.linux.vfio.VfioGroup;
import org.platformd.bridge.linux.vfio.VfioGroups;
import org.platformd.pci.BusAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The linux backend's {@link DeviceTakeover}: functions taken from their kernel drivers (to vfio-pci, or
 * uio_pci_generic without VFIO; {@link DriverBinding}) and given back, each take journaled first
 * ({@link TakeOverJournal}) so that what a daemon that died left behind is quiesced and given back at the
 * next start ({@link #recoverLeftBehind}); and the revocation of every client mapping of a function's BARs
 * before it goes to anyone else ({@link #released}, {@link SysfsRevocation}), with the functions where that
 * failed quarantined.
 *
 * <p>Thread-safe: everything that changes bindings or VFIO groups holds the {@link VfioGroups} monitor, the
 * backend's one lock (giving a function back closes its group).
 */
public final class LinuxTakeover implements DeviceTakeover {
    private static final Logger log = LoggerFactory.getLogger(LinuxTakeover.class);
    private final Path sysfsRoot;
    private final LinuxCapabilities capabilities;
    private final VfioGroups vfio;
    private final LinuxDevices devices;
    private final Set<BackendResource> open;
    private final Set<DeviceRef> dmaAttached;
    private final Map<BusAddress, DriverBinding> takenOver = new LinkedHashMap<>();
    private final Map<BusAddress, DriverBinding> waitingForGroup = new LinkedHashMap<>(); // released, group busy
    private final SysfsRevocation revocation;
    private final Set<BusAddress> exported = ConcurrentHashMap.newKeySet(); // a BAR fd went to a client
    private final Map<BusAddress, String> quarantined = new ConcurrentHashMap<>(); // stale mappings may be live
    private final Optional<TakeOverJournal> journal;

    /**
     * @param sysfsRoot   the PCI devices folder; its parent holds {@code drivers_probe}
     * @param open        the backend's open sessions (a function is revoked only with none of it open)
     * @param dmaAttached the devices attached to a DMA domain now (a live view: they keep their group in use)
     * @param journal     from {@link #openJournal}
     */
    public LinuxTakeover(Path sysfsRoot, LinuxCapabilities capabilities, VfioGroups vfio, LinuxDevices devices,
            Set<BackendResource> open, Set<DeviceRef> dmaAttached, Optional<TakeOverJournal> journal) {
        this.sysfsRoot = sysfsRoot;
        this.capabilities = capabilities;
        this.vfio = vfio;
        this.devices = devices;
        this.open = open;
        this.dmaAttached = dmaAttached;
        this.journal = journal;
        this.revocation = new SysfsRevocation(sysfsRoot);
    }

    /**
     * The journal and one-daemon lock in {@code stateDir} (null: none, for tests on fake trees).
     *
     * @throws BridgeException BUSY when another daemon holds the lock; OS_ERROR when the folder can't be used
     *                         and this process is root (without root nothing can be taken anyway: a warning)
     */
    public static Optional<TakeOverJournal> openJournal(Path stateDir, boolean root) {
        Optional<TakeOverJournal> journal = Optional.empty();
        if (stateDir != null) {
            try {
                journal = Optional.of(TakeOverJournal.open(stateDir));
            } catch (BridgeException e) {
                if (e.reason() == Reason.BUSY || root) {
                    throw e;
                }
                // not root: nothing can be taken from a driver here anyway
                log.warn("linux backend: take-over journal and one-daemon lock: NONE: {}", e.getMessage());
            }
        }
        return journal;
    }

    /** Recovers each function a daemon that died left behind ({@link #recover}); logs the journal's place. */
    public void recoverLeftBehind(Path stateDir) {
        journal.ifPresent(j -> j.leftBehind().forEach(this::recover));
        journal.ifPresent(j -> log.info("linux backend: take-over journal and one-daemon lock: {}", stateDir));
    }

    /** A BAR fd of the function went to a client: {@link #released} revokes it. */
    public void exported(BusAddress a) {
        exported.add(a);
    }

    /** The devices taken from their kernel drivers, with the driver they are on now. */
    @Override
    public Map<BusAddress, String> takenOver() {
        synchronized (vfio) {
            Map<BusAddress, String> out = new LinkedHashMap<>();
            takenOver.forEach((a, b) -> out.put(a, b.driver()));
            return out;
        }
    }

    /**
     * Takes one function from its kernel driver (to vfio-pci, or uio_pci_generic without VFIO), as
     * {@link org.platformd.bridge.linux.LinuxBackend.Options#takeOver()} does at start for the backend's
     * lifetime; the daemon does it for a device a policy marks {@code driver_override="yes"} while a session
     * holds it ({@link #giveBack} after).
     * Taking a function already taken is harmless; a function that can't be taken is logged with the
     * reason and stays with its driver.
     *
     * @return whether the function is ours now (taken by this call or before)
     */
    @Override
    public boolean takeOver(BusAddress a) {
        synchronized (vfio) {
            if (takenOver.containsKey(a)) {
                return true;
            }
            Path dir = sysfsRoot.resolve(a.toString());
            if (!Files.isDirectory(dir)) {
                log.warn("take-over of {}: no such PCI function in {}", a, sysfsRoot);
                return false;
            }
            SysfsDevice dev = new SysfsDevice(a, dir);
            String driver;
            if (capabilities.vfio() && dev.iommuGroup().isPresent()) {
                driver = "vfio-pci";
            } else if (capabilities.uio()) {
                driver = "uio_pci_generic";
            } else {
                log.warn("take-over of {}: neither VFIO ({}) nor uio_pci_generic is available; it stays with {}", a,
                        capabilities.vfioStatus(), dev.driver().orElse("no driver"));
                return false;
            }
            try {
                // durable before the binding changes: a daemon killed from here on is undone at the next start
                journal.ifPresent(j -> j.record(new TakeOverJournal.Entry(a, driver, dev.driver())));
                DriverBinding b = DriverBinding.take(dev, driversProbe(), driver);
                takenOver.put(a, b);
                log.info("took over {}", b);
                return true;
            } catch (BridgeException e) {
                log.warn("take-over of {} failed: {}", a, e.getMessage());
                if (!dev.driver().equals(Optional.of(driver))) {
                    journal.ifPresent(j -> j.forget(a)); // not ours (a half-done take stays journaled for the next start)
                }
                return false;
            }
        }
    }

    /**
     * {@link #claimThroughVfio} for a function a dead daemon left on vfio-pci, with the group closed again
     * (it goes back to its driver next); what was done or why not, for the log — its driver's own claim of
     * the BARs revokes what is left (revoke_iomem) if this can't.
     */
    private String claimForRecovery(SysfsDevice dev) {
        try {
            return claimThroughVfio(dev);
        } catch (BridgeException e) {
            return "mappings not zapped: " + e.getMessage();
        } finally {
            dev.iommuGroup().map(vfio::remove).ifPresent(VfioGroup::close);
        }
    }

    private Path driversProbe() {
        return sysfsRoot.getParent().resolve("drivers_probe");
    }

    /**
     * Undoes what a daemon that died left behind ({@link TakeOverJournal#leftBehind()}): the function is
     * quiesced through config space ({@link LeftBehindQuiesce}: bus master, INTx, MSI, MSI-X off, reset where
     * offered), every mapping its clients may still hold is revoked ({@link SysfsRevocation}), and it goes back
     * to the driver it had. A function gone from the bus, or already on a kernel driver again, is only
     * forgotten. Logged as a warning: a daemon died holding devices.
     */
    private void recover(TakeOverJournal.Entry e) {
        Path dir = sysfsRoot.resolve(e.address().toString());
        if (!Files.isDirectory(dir)) {
            log.warn("{}: left behind on {} by a platformd that died, but no longer on the bus; forgotten", e.address(),
                    e.driver());
            journal.ifPresent(j -> j.forget(e.address()));
            return;
        }
        SysfsDevice dev = new SysfsDevice(e.address(), dir);
        Optional<String> now = dev.driver();
        if (now.isPresent() && !SysfsDevice.USER_LEVEL_DRIVERS.contains(now.get())) {
            log.warn("{}: left behind by a platformd that died, already back on kernel driver {}; forgotten",
                    e.address(), now.get());
            journal.ifPresent(j -> j.forget(e.address()));
            return;
        }
        String quiesced;
        try (SysfsPciConfig config = new SysfsPciConfig(dev, () -> { }, () -> false)) {
            quiesced = LeftBehindQuiesce.quiesce(config);
        } catch (BridgeException ex) {
            log.error("{}: left behind by a platformd that died; quiescing it failed: {}; it stays on {}",
                    e.address(), ex.getMessage(), now.orElse("no driver"));
            return;
        }
        String revoked;
        try {
            revoked = revocation.supported(dev) ? revocation.revoke(dev) : "not revoked: this sysfs can't remove it";
            revoked += "; " + claimForRecovery(dev);
        } catch (BridgeException ex) {
            log.error("{}: left behind by a platformd that died, quiesced ({}), but its clients' mappings could not be"
                    + " revoked: {}; it stays on {}", e.address(), quiesced, ex.getMessage(), now.orElse("no driver"));
            return;
        }
        DriverBinding b = DriverBinding.recorded(dev, driversProbe(), e.driver(), e.previous());
        try {
            b.giveBack();
        } catch (IOException ex) {
            log.error("{}: left behind by a platformd that died, quiesced ({}); giving it back failed: {}",
                    e.address(), quiesced, ex.toString());
            return;
        }
        journal.ifPresent(j -> j.forget(e.address()));
        log.warn("{}: left behind on {} by a platformd that died: quiesced ({}), mappings revoked ({}), given back to {}"
                + " (now on {})", e.address(), e.driver(), quiesced, revoked, e.previous().orElse("no driver"),
                dev.driver().orElse("no driver"));
    }

    /**
     * Gives a function {@link #takeOver} took back to the driver it had (its sessions closed first, and it
     * detached from every DMA domain). The IOMMU group's VFIO fd is closed when nothing else of the group
     * is ours any more, so the group is the kernel's again; while other functions of the group are in use
     * it waits for the last of them. A function whose clients' BAR mappings could not be revoked
     * ({@link #released}) stays ours until {@link #close()}. A function not taken is left alone.
     */
    @Override
    public void giveBack(BusAddress a) {
        synchronized (vfio) {
            DriverBinding b = takenOver.get(a);
            if (b == null) {
                return;
            }
            if (quarantined.containsKey(a)) {
                log.warn("{}: kept until platformd exits, not given back at release: {}", b, quarantined.get(a));
                return;
            }
            takenOver.remove(a);
            Optional<Integer> group = devices.sysfsDevice(a).iommuGroup();
            if (group.isEmpty()) {
                returnToDriver(b);
                return;
            }
            int id = group.get();
            if (groupInUse(id)) {
                // A kernel driver can't bind to a function of a group user space still owns (the probe fails
                // with EBUSY): it goes back with the last function of its group.
                waitingForGroup.put(a, b);
                log.info("{}: given back once the rest of IOMMU group {} is released", b, id);
                return;
            }
            VfioGroup g = vfio.remove(id);
            if (g != null) {
                g.close();
            }
            returnToDriver(b);
            for (Iterator<Map.Entry<BusAddress, DriverBinding>> it = waitingForGroup.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<BusAddress, DriverBinding> waiting = it.next();
                if (inGroup(waiting.getKey(), id)) {
                    returnToDriver(waiting.getValue());
                    it.remove();
                }
            }
        }
    }

    /** Another function of the group is taken or attached to a DMA domain, or the group is still in a container. */
    private boolean groupInUse(int id) {
        return groupInUse(id, null);
    }

    /** {@link #groupInUse(int)}, not counting function {@code except} (null: counting all). */
    private boolean groupInUse(int id, BusAddress except) {
        VfioGroup g = vfio.get(id);
        return (g != null && g.container() != null)
                || takenOver.keySet().stream().anyMatch(o -> !o.equals(except) && inGroup(o, id))
                || dmaAttached.stream().anyMatch(d -> d instanceof DeviceRef.Pci p && !p.address().equals(except)
                        && inGroup(p.address(), id));
    }

    /**
     * The daemon is done with a function (its handle's sessions are closed): when one of its BAR fds went to a
     * client, every mapping and descriptor made from it is revoked before anyone else gets the function
     * ({@link SysfsRevocation}: removed and re-added with its driver binding restored). The function's VFIO
     * group is closed first when nothing else of it is in use. Without VFIO or CONFIG_IO_STRICT_DEVMEM (no
     * kernel claim can zap the mappings) only the fds die, logged WARN: a client that kept a mapping reaches
     * the BAR until it unmaps. When revocation is not possible (a session of the function still open, no
     * remove/rescan in this sysfs, a step failed) the function is quarantined:
     * every later open is refused (BUSY) saying why, and it is not given back to a kernel driver until
     * platformd exits.
     */
    @Override
    public void released(BusAddress a) {
        synchronized (vfio) {
            if (!exported.remove(a)) {
                return;
            }
            DeviceRef ref = DeviceRef.pci(a);
            try {
                if (open.stream().anyMatch(s -> s.device().equals(ref))) {
                    throw new BridgeException(Reason.BUSY, a.toString(), "a session of it is still open");
                }
                SysfsDevice dev = devices.sysfsDevice(a);
                dev.iommuGroup().filter(id -> vfio.contains(id) && !groupInUse(id, a)).ifPresent(id -> {
                    vfio.remove(id).close(); // its VFIO fds must be closed before the function can be removed
                });
                String how = revocation.revoke(dev);
                String claim;
                try {
                    claim = claimThroughVfio(dev);
                } catch (BridgeException e) {
                    if (e.reason() != Reason.UNSUPPORTED) {
                        throw e;
                    }
                    // no VFIO (or no IO_STRICT_DEVMEM) to have the kernel zap them: the old fds are dead, but a
                    // client that kept its mapping reaches the BAR until it unmaps (as before this revocation)
                    log.warn("{}: client fds of its BARs revoked ({}), their mappings NOT: {}", a, how, e.getMessage());
                    return;
                }
                log.info("{}: revoked every client mapping and fd of its BARs: {}; {}", a, how, claim);
            } catch (BridgeException e) {
                String why = "a client's mapping of its BARs from an earlier session may still be live (revoking it failed: "
                        + e.getMessage() + ")";
                quarantined.put(a, why);
                log.warn("{}: {}; it is not handed to anyone else until platformd exits", a, why);
            }
        }
    }

    /**
     * Has vfio-pci claim the function's memory BARs, so that the kernel zaps every user mapping of them
     * (__request_region → revoke_iomem, under CONFIG_IO_STRICT_DEVMEM): removing the function kills the old
     * {@code resourceN} fds (ENODEV), but not the mappings made from them — since 5.12 those live in the
     * shared iomem address space, which kernfs's drain of the removed files does not unmap (measured in the
     * guest: a client's old mapping read the next session's register). vfio-pci claims a BAR on the first
     * access through the device fd; the fd is opened in a container of its own when the group is in none, and
     * closed again (VFIO resets the device at open and close where it can). Throws when the claim can't be
     * made; returns what was done.
     */
    private String claimThroughVfio(SysfsDevice dev) {
        if (!capabilities.revokesMappings()) {
            throw new BridgeException(Reason.UNSUPPORTED, dev.address().toString(), "the kernel does not revoke"
                    + " mappings when a driver claims a BAR (" + capabilities.revokesMappingsStatus() + ")");
        }
        VfioGroup g = vfio.groupFor(dev).orElseThrow(() -> new BridgeException(Reason.UNSUPPORTED,
                dev.address().toString(), "no VFIO to claim its BARs with: " + vfio.whyNoVfio(dev)));
        VfioContainer own = null;
        try {
            if (g.container() == null) {
                own = VfioContainer.open(vfio.containerPath(), "revocation of " + dev.address());
                own.add(g);
            }
            String name = dev.address().toString();
            VfioDevice vd = VfioGroups.keepingCommandBits(dev, () -> g.acquireDevice(name));
            List<String> claimed = new ArrayList<>();
            try {
                for (ResourceInfo r : devices.device(DeviceRef.pci(dev.address())).resources()) {
                    if (r.space() == ResourceInfo.Space.MEMORY) {
                        long n = vd.touchRegion(r.index());
                        claimed.add("BAR " + r.index() + (n < 0 ? " (read " + Sys.describe((int) -n) + ")" : ""));
                    }
                }
            } finally {
                VfioGroups.keepingCommandBits(dev, () -> {
                    g.releaseDevice(vd);
                    return null;
                });
            }
            return "vfio-pci claimed " + claimed + ", so the kernel revoked their mappings (revoke_iomem)";
        } finally {
            if (own != null) {
                own.remove(g);
                own.close();
            }
        }
    }

    /** Refuses a function whose stale mappings could not be revoked ({@link #released}). */
    public void notQuarantined(BusAddress a) {
        String why = quarantined.get(a);
        if (why != null) {
            throw new BridgeException(Reason.BUSY, a.toString(), why + "; it is not handed on until platformd exits");
        }
    }

    private boolean inGroup(BusAddress a, int id) {
        return devices.sysfsDevice(a).iommuGroup().equals(Optional.of(id));
    }

    private void returnToDriver(DriverBinding b) {
        try {
            b.giveBack();
            journal.ifPresent(j -> j.forget(b.address()));
            log.info("gave back {}", b);
        } catch (IOException e) {
            log.error("giving back {}: {}", b, e.toString());
        }
    }

    /**
     * Revokes the clients' mappings of exported BARs ({@link #released}), closes the VFIO groups, then gives
     * taken-over devices back (the backend is closing; its sessions and domains are closed already).
     */
    public void close() {
        synchronized (vfio) {
            List.copyOf(exported).forEach(a -> {
                released(a);
                quarantined.remove(a); // platformd ends: its drivers get it back all the same
            });
            vfio.closeAll();
            takenOver.values().forEach(this::returnToDriver);
            waitingForGroup.values().forEach(this::returnToDriver);
            waitingForGroup.clear();
            takenOver.clear();
        }
    }

    /** Closes the journal and releases the one-daemon lock. */
    public void closeJournal() {
        journal.ifPresent(TakeOverJournal::close);
    }
}
