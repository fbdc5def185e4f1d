// The linux backend: the machine's real PCI functions through the kernel's user-level driver interfaces.
package org.platformd.bridge.linux;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.platformd.bridge.Backend;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.BridgeException.Reason;
import org.platformd.bridge.DeviceInfo;
import org.platformd.bridge.DeviceRef;
import org.platformd.bridge.DeviceTakeover;
import org.platformd.bridge.DmaDomain;
import org.platformd.bridge.DmaFault;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.IoPort;
import org.platformd.bridge.Irq;
import org.platformd.bridge.IrqInfo;
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.ResourceInfo;
import org.platformd.bridge.Session;
import org.platformd.bridge.SessionBase;
import org.platformd.fd.EventFd;
import org.platformd.pci.BusAddress;
import org.platformd.pci.PciDevice;
import org.platformd.pci.ResourceRange;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.pci.enumerate.PortIo32;
import org.platformd.pci.source.SysfsReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code linux} backend: the machine's real PCI functions through the kernel's user-level driver
 * interfaces. Enumeration and config space through sysfs; memory BARs mapped from {@code resourceN};
 * I/O BARs by pread/pwrite on {@code resourceN}; legacy ports (the PIT) through /dev/port and the
 * native helper; interrupts through VFIO (devices bound to vfio-pci: INTx, MSI, MSI-X) or UIO
 * (uio_pci_generic: INTx); DMA domains are {@link RoutedDmaDomain}s, a VFIO type-1 container for
 * devices on vfio-pci or huge pages at physical addresses where nothing translates. Devices listed in
 * {@link Options#takeOver()} are handed to vfio-pci (uio_pci_generic without VFIO) at start and given
 * back to the kernel at {@link #close()}; each take is written to the {@link TakeOverJournal} first, so
 * a daemon that died holding devices has them quiesced and given back at the next start. Nothing else
 * is taken from a kernel driver, and devices a kernel driver drives (and bridges) are read-only here
 * ({@link SysfsDevice#writeRefusal()}).
 *
 * <p>Thread-safe: sessions are independent objects; the registries of open sessions, interrupt
 * sources, VFIO groups and DMA attachments are concurrent or synchronized.
 */
public final class LinuxBackend implements Backend, DeviceTakeover {
    private static final Logger log = LoggerFactory.getLogger(LinuxBackend.class);
    private static final long IORESOURCE_IO = 0x100;
    private static final long IORESOURCE_MEM = 0x200;
    private static final long IORESOURCE_PREFETCH = 0x2000;
    private static final long IORESOURCE_MEM_64 = 0x100000;

    /**
     * Where the backend looks and what it may take.
     *
     * @param sysfsRoot      the PCI devices folder ({@code /sys/bus/pci/devices}); its parent holds
     *                       {@code drivers/} and {@code drivers_probe}
     * @param devDir         {@code /dev} (port, vfio/, uioN)
     * @param iommuGroupsDir {@code /sys/kernel/iommu_groups}
     * @param takeOver       functions to take from their kernel drivers at start (and give back at close)
     * @param legacyDevices  fixed-port devices offered when port I/O is possible
     * @param nativeHelper   load the native port-I/O helper (false: report it unavailable)
     * @param hugePagesDir   the kernel's 2 MiB huge-page pool ({@code /sys/kernel/mm/hugepages/hugepages-2048kB}):
     *                       DMA without VFIO
     * @param stateDir       where the backend journals what it takes over and holds its one-daemon lock
     *                       ({@link TakeOverJournal}; {@link #DEFAULT_STATE_DIR}), or null for none (tests on
     *                       fake trees)
     */
    public record Options(Path sysfsRoot, Path devDir, Path iommuGroupsDir, Set<BusAddress> takeOver,
                          List<LegacyDevice> legacyDevices, boolean nativeHelper, Path hugePagesDir, Path stateDir) {
        /** The daemon's state directory unless {@code --state-dir} says otherwise. */
        public static final Path DEFAULT_STATE_DIR = Path.of("/run/platformd");

        public Options {
            takeOver = Set.copyOf(takeOver);
            legacyDevices = List.copyOf(legacyDevices);
        }

        /** Without a state directory. */
        public Options(Path sysfsRoot, Path devDir, Path iommuGroupsDir, Set<BusAddress> takeOver,
                       List<LegacyDevice> legacyDevices, boolean nativeHelper, Path hugePagesDir) {
            this(sysfsRoot, devDir, iommuGroupsDir, takeOver, legacyDevices, nativeHelper, hugePagesDir, null);
        }

        /** With this machine's huge-page pool. */
        public Options(Path sysfsRoot, Path devDir, Path iommuGroupsDir, Set<BusAddress> takeOver,
                       List<LegacyDevice> legacyDevices, boolean nativeHelper) {
            this(sysfsRoot, devDir, iommuGroupsDir, takeOver, legacyDevices, nativeHelper, HugePages.SYSTEM);
        }

        /** This machine: /sys, /dev, the built-in legacy devices, nothing taken over, {@link #DEFAULT_STATE_DIR}. */
        public static Options system() {
            return new Options(SysfsReader.LIVE_ROOT, Path.of("/dev"), Path.of("/sys/kernel/iommu_groups"), Set.of(),
                    LegacyDevice.BUILT_IN, true, HugePages.SYSTEM, DEFAULT_STATE_DIR);
        }

        public Options withTakeOver(Collection<BusAddress> devices) {
            return new Options(sysfsRoot, devDir, iommuGroupsDir, Set.copyOf(devices), legacyDevices, nativeHelper,
                    hugePagesDir, stateDir);
        }

        public Options withStateDir(Path dir) {
            return new Options(sysfsRoot, devDir, iommuGroupsDir, takeOver, legacyDevices, nativeHelper, hugePagesDir, dir);
        }
    }

    private final Options options;
    private final LinuxCapabilities capabilities;
    private final Optional<PortIoHelper> helper;
    private final Map<BusAddress, DriverBinding> takenOver = new LinkedHashMap<>();
    private final Map<BusAddress, DriverBinding> waitingForGroup = new LinkedHashMap<>(); // released, group busy
    private final Map<Integer, VfioGroup> groups = new HashMap<>();
    private final Map<DeviceRef, DmaDomain> dmaOwners = new ConcurrentHashMap<>();
    private final Optional<KernelLogDmaFaults> faults;
    private final Set<DmaDomain> domains = ConcurrentHashMap.newKeySet();
    private final Set<Session> open = ConcurrentHashMap.newKeySet();
    private final Set<String> irqSources = ConcurrentHashMap.newKeySet();
    private final SysfsRevocation revocation;
    private final Set<BusAddress> exported = ConcurrentHashMap.newKeySet(); // a BAR fd went to a client
    private final Map<BusAddress, String> quarantined = new ConcurrentHashMap<>(); // stale mappings may be live
    private final Optional<TakeOverJournal> journal;

    private LinuxBackend(Options options, LinuxCapabilities capabilities, Optional<PortIoHelper> helper,
            Optional<TakeOverJournal> journal) {
        this.options = options;
        this.journal = journal;
        this.capabilities = capabilities;
        this.helper = helper;
        this.revocation = new SysfsRevocation(options.sysfsRoot());
        Optional<KernelLogDmaFaults> f = Optional.empty();
        if (capabilities.kernelLog()) {
            try {
                f = Optional.of(KernelLogDmaFaults.open(options.devDir().resolve("kmsg"),
                        a -> dmaOwners.containsKey(DeviceRef.pci(a)), java.time.Clock.systemUTC()));
            } catch (BridgeException e) {
                log.warn("linux backend: IOMMU faults: NOT REPORTED: {}", e.getMessage());
            }
        }
        this.faults = f;
    }

    /**
     * Probes what this kernel allows (logged, one line per feature), takes the state directory's lock,
     * recovers the devices a daemon that died left behind ({@link #recover}), then takes over the devices of
     * {@link Options#takeOver()}; a device that can't be taken is logged with the reason and stays with
     * its driver.
     *
     * @throws BridgeException NO_SUCH_DEVICE when sysfs has no PCI devices folder; BUSY when another daemon
     *                         holds the state directory's lock (naming its pid); OS_ERROR when the state
     *                         directory can't be used
     */
    public static LinuxBackend open(Options options) {
        PortIoHelper.Availability h = options.nativeHelper() ? PortIoHelper.load()
                : new PortIoHelper.Availability(Optional.empty(), "native port-I/O helper not used (disabled)");
        LinuxCapabilities caps = LinuxCapabilities.probe(options, h);
        if (!caps.sysfs()) {
            throw new BridgeException(Reason.NO_SUCH_DEVICE, null, options.sysfsRoot()
                    + " is not a folder: no sysfs PCI devices to drive");
        }
        caps.summary().forEach(line -> log.info("linux backend: {}", line));
        Optional<TakeOverJournal> journal = Optional.empty();
        if (options.stateDir() != null) {
            try {
                journal = Optional.of(TakeOverJournal.open(options.stateDir()));
            } catch (BridgeException e) {
                if (e.reason() == Reason.BUSY || caps.root()) {
                    throw e;
                }
                // not root: nothing can be taken from a driver here anyway
                log.warn("linux backend: take-over journal and one-daemon lock: NONE: {}", e.getMessage());
            }
        }
        LinuxBackend b = new LinuxBackend(options, caps, h.helper(), journal);
        journal.ifPresent(j -> j.leftBehind().forEach(b::recover));
        journal.ifPresent(j -> log.info("linux backend: take-over journal and one-daemon lock: {}", options.stateDir()));
        for (BusAddress a : options.takeOver().stream().sorted().toList()) {
            b.takeOver(a);
        }
        return b;
    }

    /** This backend: it takes functions from their kernel drivers ({@link #takeOver}, {@link #released}). */
    @Override
    public Optional<DeviceTakeover> deviceTakeover() {
        return Optional.of(this);
    }

    public LinuxCapabilities capabilities() {
        return capabilities;
    }

    /** The devices taken from their kernel drivers, with the driver they are on now. */
    @Override
    public synchronized Map<BusAddress, String> takenOver() {
        Map<BusAddress, String> out = new LinkedHashMap<>();
        takenOver.forEach((a, b) -> out.put(a, b.driver()));
        return out;
    }

    /**
     * Takes one function from its kernel driver (to vfio-pci, or uio_pci_generic without VFIO), as
     * {@link Options#takeOver()} does at start for the backend's lifetime; the daemon does it for a device
     * a policy marks {@code driver_override="yes"} while a session holds it ({@link #giveBack} after).
     * Taking a function already taken is harmless; a function that can't be taken is logged with the
     * reason and stays with its driver.
     *
     * @return whether the function is ours now (taken by this call or before)
     */
    @Override
    public synchronized boolean takeOver(BusAddress a) {
        if (takenOver.containsKey(a)) {
            return true;
        }
        Path dir = options.sysfsRoot().resolve(a.toString());
        if (!Files.isDirectory(dir)) {
            log.warn("take-over of {}: no such PCI function in {}", a, options.sysfsRoot());
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
            dev.iommuGroup().map(groups::remove).ifPresent(VfioGroup::close);
        }
    }

    private Path driversProbe() {
        return options.sysfsRoot().getParent().resolve("drivers_probe");
    }

    /**
     * Undoes what a daemon that died left behind ({@link TakeOverJournal#leftBehind()}): the function is
     * quiesced through config space ({@link LeftBehindQuiesce}: bus master, INTx, MSI, MSI-X off, reset where
     * offered), every mapping its clients may still hold is revoked ({@link SysfsRevocation}), and it goes back
     * to the driver it had. A function gone from the bus, or already on a kernel driver again, is only
     * forgotten. Logged as a warning: a daemon died holding devices.
     */
    private void recover(TakeOverJournal.Entry e) {
        Path dir = options.sysfsRoot().resolve(e.address().toString());
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
    public synchronized void giveBack(BusAddress a) {
        DriverBinding b = takenOver.get(a);
        if (b == null) {
            return;
        }
        if (quarantined.containsKey(a)) {
            log.warn("{}: kept until platformd exits, not given back at release: {}", b, quarantined.get(a));
            return;
        }
        takenOver.remove(a);
        Optional<Integer> group = sysfsDevice(a).iommuGroup();
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
        VfioGroup g = groups.remove(id);
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

    /** Another function of the group is taken or attached to a DMA domain, or the group is still in a container. */
    private boolean groupInUse(int id) {
        return groupInUse(id, null);
    }

    /** {@link #groupInUse(int)}, not counting function {@code except} (null: counting all). */
    private boolean groupInUse(int id, BusAddress except) {
        VfioGroup g = groups.get(id);
        return (g != null && g.container() != null)
                || takenOver.keySet().stream().anyMatch(o -> !o.equals(except) && inGroup(o, id))
                || dmaOwners.keySet().stream().anyMatch(d -> d instanceof DeviceRef.Pci p && !p.address().equals(except)
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
    public synchronized void released(BusAddress a) {
        if (!exported.remove(a)) {
            return;
        }
        DeviceRef ref = DeviceRef.pci(a);
        try {
            if (open.stream().anyMatch(s -> s.device().equals(ref))) {
                throw new BridgeException(Reason.BUSY, a.toString(), "a session of it is still open");
            }
            SysfsDevice dev = sysfsDevice(a);
            dev.iommuGroup().filter(id -> groups.containsKey(id) && !groupInUse(id, a)).ifPresent(id -> {
                groups.remove(id).close(); // its VFIO fds must be closed before the function can be removed
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
        VfioGroup g = vfioGroupFor(dev).orElseThrow(() -> new BridgeException(Reason.UNSUPPORTED,
                dev.address().toString(), "no VFIO to claim its BARs with: " + whyNoVfio(dev)));
        VfioContainer own = null;
        try {
            if (g.container() == null) {
                own = VfioContainer.open(vfioContainerPath(), "revocation of " + dev.address());
                own.add(g);
            }
            String name = dev.address().toString();
            VfioDevice vd = keepingCommandBits(dev, () -> g.acquireDevice(name));
            List<String> claimed = new ArrayList<>();
            try {
                for (ResourceInfo r : device(DeviceRef.pci(dev.address())).resources()) {
                    if (r.space() == ResourceInfo.Space.MEMORY) {
                        long n = vd.touchRegion(r.index());
                        claimed.add("BAR " + r.index() + (n < 0 ? " (read " + Sys.describe((int) -n) + ")" : ""));
                    }
                }
            } finally {
                keepingCommandBits(dev, () -> {
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
    private void notQuarantined(BusAddress a) {
        String why = quarantined.get(a);
        if (why != null) {
            throw new BridgeException(Reason.BUSY, a.toString(), why + "; it is not handed on until platformd exits");
        }
    }

    private boolean inGroup(BusAddress a, int id) {
        return sysfsDevice(a).iommuGroup().equals(Optional.of(id));
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

    @Override
    public String name() {
        return "linux";
    }

    // ---- devices ----------------------------------------------------------------------------

    @Override
    public List<DeviceInfo> devices() {
        List<DeviceInfo> out = new ArrayList<>();
        try {
            for (PciDevice d : SysfsReader.read(options.sysfsRoot())) {
                out.add(info(d));
            }
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, null, "enumerating " + options.sysfsRoot() + ": "
                    + e.getMessage(), e);
        }
        if (capabilities.portIo()) {
            options.legacyDevices().forEach(l -> out.add(info(l)));
        }
        return out;
    }

    @Override
    public DeviceInfo device(DeviceRef ref) {
        if (ref instanceof DeviceRef.Pci p) {
            SysfsDevice dev = sysfsDevice(p.address());
            try {
                return info(SysfsReader.readFunction(p.address(), dev.dir()));
            } catch (IOException e) {
                throw new BridgeException(Reason.OS_ERROR, ref.toString(), e.getMessage(), e);
            }
        }
        return info(legacy(((DeviceRef.Platform) ref).name()));
    }

    private static DeviceInfo info(PciDevice d) {
        DecodedDevice dec = DeviceDecoder.decode(d);
        var c = d.config();
        boolean bridge = (dec.headerType() & 0x7f) == 1;
        DeviceInfo.PciIdentity id = new DeviceInfo.PciIdentity(dec.vendorId(), dec.deviceId(),
                bridge ? 0 : c.u16(0x2c, 0), bridge ? 0 : c.u16(0x2e, 0), dec.classCode(), dec.revision(), bridge);
        List<ResourceInfo> res = new ArrayList<>();
        List<ResourceRange> ranges = d.resources();
        for (int i = 0; i < Math.min(6, ranges.size()); i++) {
            ResourceRange r = ranges.get(i);
            if (r.end() <= r.start() || (r.flags() & (IORESOURCE_IO | IORESOURCE_MEM)) == 0) {
                continue;
            }
            boolean io = (r.flags() & IORESOURCE_IO) != 0;
            res.add(new ResourceInfo(i, io ? ResourceInfo.Space.IO : ResourceInfo.Space.MEMORY, r.start(), r.size(),
                    (r.flags() & IORESOURCE_MEM_64) != 0, (r.flags() & IORESOURCE_PREFETCH) != 0, !io));
        }
        List<IrqInfo> irqs = new ArrayList<>();
        if (dec.interruptPin() != 0) {
            Integer line = d.kernel() == null ? null : d.kernel().irq();
            irqs.add(new IrqInfo(IrqKind.INTX, 1, line == null ? -1 : line));
        }
        if (dec.msi() != null) {
            irqs.add(new IrqInfo(IrqKind.MSI, dec.msi().vectorsCapable(), -1));
        }
        if (dec.msix() != null) {
            irqs.add(new IrqInfo(IrqKind.MSIX, dec.msix().tableSize(), -1));
        }
        String driver = d.kernel() == null ? null : d.kernel().driver();
        return new DeviceInfo(DeviceRef.pci(d.address()), driver == null ? "no kernel driver" : "kernel driver " + driver,
                Optional.of(id), res, irqs);
    }

    private static DeviceInfo info(LegacyDevice l) {
        return new DeviceInfo(DeviceRef.platform(l.name()), l.model(), Optional.empty(),
                List.of(new ResourceInfo(0, ResourceInfo.Space.IO, l.portBase(), l.portCount(), false, false, false)),
                List.of());
    }

    SysfsDevice sysfsDevice(BusAddress a) {
        Path dir = options.sysfsRoot().resolve(a.toString());
        if (!Files.isDirectory(dir)) {
            throw new BridgeException(Reason.NO_SUCH_DEVICE, a.toString(), "no such PCI function in " + options.sysfsRoot());
        }
        return new SysfsDevice(a, dir);
    }

    private LegacyDevice legacy(String name) {
        LegacyDevice l = options.legacyDevices().stream().filter(d -> d.name().equals(name)).findFirst()
                .orElseThrow(() -> new BridgeException(Reason.NO_SUCH_DEVICE, name, "no legacy device of this name"
                        + " (known: " + options.legacyDevices().stream().map(LegacyDevice::name).toList() + ")"));
        if (!capabilities.portIo()) {
            throw new BridgeException(Reason.NO_SUCH_DEVICE, name, "legacy devices are not offered: no port I/O ("
                    + "no /dev/port; " + capabilities.portHelperStatus() + ")");
        }
        return l;
    }

    // ---- sessions ---------------------------------------------------------------------------

    @Override
    public PciConfig openConfig(BusAddress address) {
        notQuarantined(address);
        SysfsDevice dev = sysfsDevice(address);
        return SessionBase.tracked(open, untrack -> new SysfsPciConfig(dev, untrack, () -> resetThroughVfio(dev)));
    }

    /**
     * VFIO_DEVICE_RESET on the device's VFIO fd when an interrupt session holds it open (opening one just
     * for a reset would cost VFIO's own resets at open and close too); false when none is open, VFIO offers
     * no reset for the device, or the ioctl failed (logged; sysfs then resets through the same kernel path).
     */
    private boolean resetThroughVfio(SysfsDevice dev) {
        Optional<Integer> id = dev.iommuGroup();
        VfioGroup g;
        synchronized (this) {
            g = id.map(groups::get).orElse(null);
        }
        if (g == null) {
            return false;
        }
        try {
            return g.resetOpenDevice(dev.address().toString());
        } catch (BridgeException e) {
            log.warn("{}: VFIO_DEVICE_RESET failed ({}); resetting through sysfs instead", dev.address(), e.getMessage());
            return false;
        }
    }

    private ResourceInfo resource(DeviceRef ref, int index) {
        return device(ref).resources().stream().filter(r -> r.index() == index).findFirst()
                .orElseThrow(() -> new BridgeException(Reason.NO_SUCH_RESOURCE, ref.toString(), "has no BAR " + index));
    }

    @Override
    public IoMem openIoMem(DeviceRef device, int index) {
        if (device instanceof DeviceRef.Platform p) {
            legacy(p.name());
            throw new BridgeException(Reason.NO_SUCH_RESOURCE, p.name(), "has no memory-mapped range " + index);
        }
        ResourceInfo r = resource(device, index);
        if (r.space() != ResourceInfo.Space.MEMORY) {
            throw new BridgeException(Reason.NO_SUCH_RESOURCE, device.toString(),
                    "BAR " + index + " is an I/O BAR; open it as IoPort");
        }
        BusAddress a = ((DeviceRef.Pci) device).address();
        notQuarantined(a);
        SysfsDevice dev = sysfsDevice(a);
        return SessionBase.tracked(open, untrack -> new SysfsIoMem(dev, index, r.prefetchable(), () -> exported.add(a),
                untrack));
    }

    @Override
    public IoPort openIoPort(DeviceRef device, int index) {
        if (device instanceof DeviceRef.Platform p) {
            LegacyDevice l = legacy(p.name());
            if (index != 0) {
                throw new BridgeException(Reason.NO_SUCH_RESOURCE, p.name(), "has one port range (index 0), not " + index);
            }
            Optional<Path> devPort = capabilities.devPort() ? Optional.of(options.devDir().resolve("port")) : Optional.empty();
            return SessionBase.tracked(open, untrack -> new LegacyIoPort(device, l.portBase(), l.portCount(), devPort,
                    helper, capabilities.portHelperStatus(), untrack));
        }
        ResourceInfo r = resource(device, index);
        if (r.space() != ResourceInfo.Space.IO) {
            throw new BridgeException(Reason.NO_SUCH_RESOURCE, device.toString(),
                    "BAR " + index + " is a memory BAR; open it as IoMem");
        }
        notQuarantined(((DeviceRef.Pci) device).address());
        SysfsDevice dev = sysfsDevice(((DeviceRef.Pci) device).address());
        return SessionBase.tracked(open, untrack -> new ResourceIoPort(dev, index, (int) r.start(), (int) r.size(),
                untrack));
    }

    @Override
    public Irq openIrq(DeviceRef device, IrqKind kind, int index) {
        if (device instanceof DeviceRef.Platform p) {
            legacy(p.name());
            throw new BridgeException(Reason.UNSUPPORTED, p.name(), kind + " " + index + ": the kernel keeps legacy"
                    + " ISA interrupts (Linux has no user-level access to them); poll the device instead");
        }
        BusAddress a = ((DeviceRef.Pci) device).address();
        notQuarantined(a);
        SysfsDevice dev = sysfsDevice(a);
        String key = a + " " + kind + " " + index;
        if (!irqSources.add(key)) {
            throw new BridgeException(Reason.BUSY, a.toString(), kind + " " + index + " is already open");
        }
        Runnable free = () -> irqSources.remove(key);
        try {
            String driver = dev.driver().orElse("none");
            EventFdIrq irq;
            if (driver.equals("vfio-pci")) {
                irq = vfioIrq(dev, kind, index, free);
            } else if (driver.equals("uio_pci_generic")) {
                irq = uioIrq(dev, kind, index, free);
            } else {
                throw new BridgeException(Reason.UNSUPPORTED, a.toString(), kind + " interrupts need the device on"
                        + " vfio-pci or uio_pci_generic (driver now: " + driver + "); give it to platformd with"
                        + " --take-over " + a);
            }
            return irq;
        } catch (RuntimeException e) {
            free.run();
            throw e;
        }
    }

    private EventFdIrq vfioIrq(SysfsDevice dev, IrqKind kind, int index, Runnable free) {
        VfioGroup group = vfioGroupFor(dev).orElseThrow(() -> new BridgeException(Reason.UNSUPPORTED,
                dev.address().toString(), "interrupts through VFIO: " + whyNoVfio(dev)));
        String name = dev.address().toString();
        VfioDevice vd = keepingCommandBits(dev, () -> group.acquireDevice(name));
        EventFd trigger = null;
        EventFd unmask = null;
        try {
            trigger = EventFd.create(name + " " + kind + " " + index);
            switch (kind) {
                case INTX -> {
                    if (index != 0 || vd.count(Vfio.PCI_INTX_IRQ_INDEX) == 0) {
                        throw new BridgeException(Reason.NO_SUCH_RESOURCE, name,
                                index != 0 ? "INTx has only index 0" : "has no INTx pin");
                    }
                    unmask = EventFd.create(name + " INTx unmask");
                    vd.setIntx(trigger.fd(), unmask.fd());
                    EventFd t = trigger;
                    EventFd u = unmask;
                    return SessionBase.tracked(open, untrack -> new EventFdIrq(DeviceRef.pci(dev.address()), kind, 0,
                            "vfio", t, u, vd::unmaskIntx, () -> closeVfioIrq(dev, group, vd, () -> vd.disable(0), untrack,
                            free)));
                }
                case MSI, MSIX -> {
                    int idx = kind == IrqKind.MSI ? Vfio.PCI_MSI_IRQ_INDEX : Vfio.PCI_MSIX_IRQ_INDEX;
                    int count = vd.count(idx);
                    if (index < 0 || index >= count) {
                        throw new BridgeException(Reason.NO_SUCH_RESOURCE, name, count == 0 ? "has no " + kind
                                : kind + " vector " + index + " outside 0.." + (count - 1));
                    }
                    vd.setVector(idx, index, trigger.fd());
                    EventFd t = trigger;
                    return SessionBase.tracked(open, untrack -> new EventFdIrq(DeviceRef.pci(dev.address()), kind, index,
                            "vfio", t, null, () -> { }, () -> closeVfioIrq(dev, group, vd,
                            () -> vd.clearVector(idx, index), untrack, free)));
                }
                default -> throw new BridgeException(Reason.NO_SUCH_RESOURCE, name, "has no " + kind + " interrupts");
            }
        } catch (IOException | RuntimeException e) {
            if (trigger != null) {
                trigger.close();
            }
            if (unmask != null) {
                unmask.close();
            }
            keepingCommandBits(dev, () -> {
                group.releaseDevice(vd);
                return null;
            });
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new BridgeException(Reason.OS_ERROR, name, "eventfd: " + e.getMessage(), e);
        }
    }

    private void closeVfioIrq(SysfsDevice dev, VfioGroup group, VfioDevice vd, Runnable deassign,
            SessionBase.Untrack<EventFdIrq> untrack, Runnable free) {
        try {
            deassign.run();
        } catch (RuntimeException e) {
            log.warn("{}: de-assigning its eventfd: {}", untrack.session().describe(), e.getMessage());
        } finally {
            try {
                keepingCommandBits(dev, () -> {
                    group.releaseDevice(vd);
                    return null;
                });
            } finally {
                untrack.run();
                free.run();
            }
        }
    }

    /**
     * Runs a step that may open or close the device's VFIO fd, keeping the command register's I/O decode,
     * memory decode and bus master bits as they were. VFIO clears bus mastering when a device fd opens
     * (vfio_pci_core_enable: its saved state must not include it) and clears it, disables the device and
     * restores that state when the last one closes; here device fds come and go with interrupt sessions,
     * under a client that has set those bits (an MSI and every DMA transfer need bus mastering; without
     * this, enabling MSI or switching interrupt modes silently turned it off).
     */
    private <T> T keepingCommandBits(SysfsDevice dev, Supplier<T> vfioStep) {
        int keep = PciConfig.COMMAND_IO | PciConfig.COMMAND_MEMORY | PciConfig.COMMAND_MASTER;
        try (SysfsPciConfig config = new SysfsPciConfig(dev, () -> { }, () -> false)) {
            int before = config.read16(0x04) & keep;
            T result = vfioStep.get();
            int after = config.read16(0x04);
            if ((after & keep) != before) {
                config.write16(0x04, (after & ~keep) | before);
                log.debug("{}: command register 0x{} after VFIO opened/closed its device fd; bits 0x{} put back",
                        dev.address(), Integer.toHexString(after), Integer.toHexString(before));
            }
            return result;
        }
    }

    private EventFdIrq uioIrq(SysfsDevice dev, IrqKind kind, int index, Runnable free) {
        String name = dev.address().toString();
        if (kind != IrqKind.INTX || index != 0) {
            throw new BridgeException(Reason.UNSUPPORTED, name, kind + " " + index
                    + ": uio_pci_generic offers INTx only (MSI needs vfio-pci: " + capabilities.vfioStatus() + ")");
        }
        Path uio;
        try (var s = Files.list(dev.file("uio"))) {
            uio = options.devDir().resolve(s.findFirst().orElseThrow(() -> new IOException("no uioN entry"))
                    .getFileName().toString());
        } catch (IOException e) {
            throw new BridgeException(Reason.OS_ERROR, name, "finding its /dev/uioN under " + dev.file("uio") + ": "
                    + e.getMessage(), e);
        }
        return SessionBase.tracked(open, untrack -> UioIntx.open(DeviceRef.pci(dev.address()), uio,
                new SysfsPciConfig(dev, () -> { }, () -> false), () -> {
                    untrack.run();
                    free.run();
                }));
    }

    // ---- VFIO groups and DMA ----------------------------------------------------------------

    /** The device's VFIO group (opened once, kept), or empty when VFIO can't be used for it. */
    synchronized Optional<VfioGroup> vfioGroupFor(SysfsDevice dev) {
        if (!capabilities.vfio() || !"vfio-pci".equals(dev.driver().orElse(null)) || dev.iommuGroup().isEmpty()) {
            return Optional.empty();
        }
        int id = dev.iommuGroup().get();
        VfioGroup g = groups.get(id);
        if (g == null) {
            g = VfioGroup.open(options.devDir().resolve("vfio"), id, dev.address().toString());
            groups.put(id, g);
        }
        return Optional.of(g);
    }

    /** Why {@link #vfioGroupFor} is empty, for messages. */
    String whyNoVfio(SysfsDevice dev) {
        if (!capabilities.vfio()) {
            return "VFIO unavailable: " + capabilities.vfioStatus();
        }
        if (dev.iommuGroup().isEmpty()) {
            return "the device has no IOMMU group";
        }
        return "not bound to vfio-pci (driver: " + dev.driver().orElse("none") + "; take it over with --take-over "
                + dev.address() + ")";
    }

    Path hugePagesDir() {
        return options.hugePagesDir();
    }

    Path vfioContainerPath() {
        return options.devDir().resolve("vfio/vfio");
    }

    void claimDma(DeviceRef device, DmaDomain domain) {
        DmaDomain other = dmaOwners.putIfAbsent(device, domain);
        if (other != null && other != domain) {
            throw new BridgeException(Reason.BUSY, device.toString(), "already attached to DMA domain " + other.name());
        }
    }

    void releaseDma(DeviceRef device, DmaDomain domain) {
        dmaOwners.remove(device, domain);
    }

    void domainClosed(DmaDomain d) {
        domains.remove(d);
    }

    /** A domain whose kind (VFIO container or huge pages) its devices' {@link DmaRoute}s decide. */
    @Override
    public DmaDomain openDmaDomain(String name) {
        DmaDomain d = new RoutedDmaDomain(name, this);
        domains.add(d);
        return d;
    }

    /**
     * How the device's DMA reaches memory: through VFIO when it is on vfio-pci with a usable group;
     * untranslated when it has no IOMMU group or its group's type is {@code identity} (and then only with
     * 2 MiB huge pages, whose physical addresses are bus addresses); otherwise an IOMMU translates it with
     * mappings only its kernel driver or VFIO could make, so platformd's buffers are out of its reach.
     */
    DmaRoute dmaRoute(SysfsDevice dev) {
        if (vfioGroupFor(dev).isPresent()) {
            return new DmaRoute.Iommu();
        }
        String driver = dev.driver().orElse("no driver");
        if (driver.equals("vfio-pci")) {
            return new DmaRoute.Unreachable("it is on vfio-pci but VFIO can't be used for it: " + whyNoVfio(dev));
        }
        Optional<String> kernels = dev.writeRefusal();
        if (kernels.isPresent()) { // read-only here: it must not pick the session's kind of DMA either
            return new DmaRoute.Unreachable(kernels.get());
        }
        Optional<Integer> group = dev.iommuGroup();
        String how = "no IOMMU";
        if (group.isPresent()) {
            String type = iommuGroupType(group.get());
            if (!type.equals("identity")) {
                return new DmaRoute.Unreachable("an IOMMU translates its DMA (IOMMU group " + group.get() + ", type "
                        + type + ") and only VFIO can map this session's buffers for it, but it is on " + driver
                        + ": give it to vfio-pci (driver_override=\"yes\" in the policy, or --take-over "
                        + dev.address() + ")");
            }
            how = "its IOMMU group " + group.get() + " passes DMA through (type identity)";
        }
        HugePages pool = new HugePages(options.hugePagesDir());
        if (!pool.supported()) {
            return new DmaRoute.Unreachable(how + ", so it needs buffers at physical addresses, which platformd takes"
                    + " from 2 MiB huge pages: " + pool.status());
        }
        return new DmaRoute.Physical(how);
    }

    /** The kernel's name for how the group's DMA is handled (DMA, DMA-FQ, identity, blocked...), or "unknown". */
    private String iommuGroupType(int group) {
        try {
            return Files.readString(options.iommuGroupsDir().resolve(group + "/type")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * IOMMU faults of devices attached to this backend's DMA domains, as the kernel logged them
     * ({@link KernelLogDmaFaults}); empty when the kernel log can't be read (the capability line says why).
     */
    @Override
    public List<DmaFault> dmaFaults() {
        return faults.map(KernelLogDmaFaults::recent).orElse(List.of());
    }

    @Override
    public long dmaFaultCount() {
        return faults.map(KernelLogDmaFaults::count).orElse(0L);
    }

    @Override
    public Optional<PortIo32> configPorts() {
        return helper.map(MechanismOnePorts::new);
    }

    /**
     * Configuration mechanism #1 on this machine's 0xCF8/0xCFC through the native helper, without a
     * backend (for tools: {@code platformctl lspci --config-mech1}).
     *
     * @throws BridgeException UNSUPPORTED naming why the helper can't do port I/O here
     */
    public static PortIo32 configMechanism1() {
        PortIoHelper.Availability h = PortIoHelper.load();
        return new MechanismOnePorts(h.helper().orElseThrow(() -> new BridgeException(Reason.UNSUPPORTED, null,
                "configuration mechanism #1 needs port I/O: " + h.status())));
    }

    /** Sessions and DMA domains currently open (for leak checks). */
    public int openSessionCount() {
        return open.size() + domains.size();
    }

    /**
     * Closes every session and domain, closes the VFIO groups, revokes the clients' mappings of exported BARs
     * ({@link #released}), then gives taken-over devices back.
     */
    @Override
    public void close() {
        for (Session s : List.copyOf(open)) {
            try {
                s.close();
            } catch (RuntimeException e) {
                log.error("closing {}: {}", s.describe(), e.toString());
            }
        }
        for (DmaDomain d : List.copyOf(domains)) {
            d.close();
        }
        synchronized (this) {
            List.copyOf(exported).forEach(a -> {
                released(a);
                quarantined.remove(a); // platformd ends: its drivers get it back all the same
            });
            groups.values().forEach(VfioGroup::close);
            groups.clear();
            takenOver.values().forEach(this::returnToDriver);
            waitingForGroup.values().forEach(this::returnToDriver);
            waitingForGroup.clear();
            takenOver.clear();
        }
        faults.ifPresent(KernelLogDmaFaults::close);
        journal.ifPresent(TakeOverJournal::close);
    }
}
