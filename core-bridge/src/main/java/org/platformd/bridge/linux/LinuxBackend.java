// The linux backend: the machine's real PCI functions through the kernel's user-level driver interfaces.
package org.platformd.bridge.linux;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
import org.platformd.bridge.IrqKind;
import org.platformd.bridge.PciConfig;
import org.platformd.bridge.ResourceInfo;
import org.platformd.bridge.BackendResource;
import org.platformd.bridge.BackendResourceBase;
import org.platformd.bridge.linux.dma.DmaRouting;
import org.platformd.bridge.linux.irq.Interrupts;
import org.platformd.bridge.linux.port.LegacyIoPort;
import org.platformd.bridge.linux.port.MechanismOnePorts;
import org.platformd.bridge.linux.port.PortIoHelper;
import org.platformd.bridge.linux.port.ResourceIoPort;
import org.platformd.bridge.linux.takeover.LinuxTakeover;
import org.platformd.bridge.linux.takeover.TakeOverJournal;
import org.platformd.bridge.linux.vfio.VfioGroups;
import org.platformd.pci.BusAddress;
import org.platformd.pci.enumerate.PortIo32;
import org.platformd.pci.source.SysfsReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code linux} backend: the machine's real PCI functions through the kernel's user-level driver
 * interfaces. A façade over one part per concept:
 * <ul>
 * <li>devices and config space through sysfs ({@link LinuxDevices}, {@link SysfsPciConfig}); memory BARs
 * mapped from {@code resourceN} ({@link SysfsIoMem});</li>
 * <li>I/O BARs by pread/pwrite on {@code resourceN}, legacy ports (the PIT) through /dev/port and the native
 * helper ({@code linux.port});</li>
 * <li>interrupts through VFIO (devices bound to vfio-pci: INTx, MSI, MSI-X) or UIO (uio_pci_generic: INTx)
 * ({@link Interrupts}, {@code linux.irq}), each IOMMU group opened once ({@link VfioGroups},
 * {@code linux.vfio});</li>
 * <li>DMA domains that route each device to a VFIO type-1 container or to huge pages at physical addresses
 * where nothing translates ({@link DmaRouting}, {@code linux.dma});</li>
 * <li>take-over ({@link LinuxTakeover}, {@code linux.takeover}): devices listed in {@link Options#takeOver()}
 * are handed to vfio-pci (uio_pci_generic without VFIO) at start and given back at {@link #close()}; each
 * take is journaled first, so a daemon that died holding devices has them quiesced and given back at the
 * next start. Nothing else is taken from a kernel driver, and devices a kernel driver drives (and bridges)
 * are read-only here ({@link SysfsDevice#writeRefusal()}).</li>
 * </ul>
 *
 * <p>Thread-safe: sessions are independent objects; the registries of open sessions, interrupt
 * sources, VFIO groups and DMA attachments are concurrent or synchronized.
 */
public final class LinuxBackend implements Backend {
    private static final Logger log = LoggerFactory.getLogger(LinuxBackend.class);

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
    private final Set<BackendResource> open = ConcurrentHashMap.newKeySet();
    private final LinuxDevices devices;
    private final VfioGroups vfio;
    private final DmaRouting dma;
    private final Interrupts interrupts;
    private final LinuxTakeover takeover;

    private LinuxBackend(Options options, LinuxCapabilities capabilities, Optional<PortIoHelper> helper,
            Optional<TakeOverJournal> journal) {
        this.options = options;
        this.capabilities = capabilities;
        this.helper = helper;
        this.devices = new LinuxDevices(options.sysfsRoot(), options.legacyDevices(), capabilities);
        this.vfio = new VfioGroups(capabilities, options.devDir());
        this.dma = new DmaRouting(capabilities, vfio, devices, options.hugePagesDir(), options.iommuGroupsDir(),
                options.devDir().resolve("kmsg"));
        this.interrupts = new Interrupts(capabilities, vfio, options.devDir(), open);
        this.takeover = new LinuxTakeover(options.sysfsRoot(), capabilities, vfio, devices, open,
                dma.attachedDevices(), journal);
    }

    /**
     * Probes what this kernel allows (logged, one line per feature), takes the state directory's lock,
     * recovers the devices a daemon that died left behind ({@link LinuxTakeover#recoverLeftBehind}), then
     * takes over the devices of {@link Options#takeOver()}; a device that can't be taken is logged with the
     * reason and stays with its driver.
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
        Optional<TakeOverJournal> journal = LinuxTakeover.openJournal(options.stateDir(), caps.root());
        LinuxBackend b = new LinuxBackend(options, caps, h.helper(), journal);
        b.takeover.recoverLeftBehind(options.stateDir());
        for (BusAddress a : options.takeOver().stream().sorted().toList()) {
            b.takeover.takeOver(a);
        }
        return b;
    }

    /** Taking functions from their kernel drivers, and revoking clients' BAR mappings ({@link LinuxTakeover}). */
    @Override
    public Optional<DeviceTakeover> deviceTakeover() {
        return Optional.of(takeover);
    }

    public LinuxCapabilities capabilities() {
        return capabilities;
    }

    @Override
    public String name() {
        return "linux";
    }

    @Override
    public List<DeviceInfo> devices() {
        return devices.devices();
    }

    @Override
    public DeviceInfo device(DeviceRef ref) {
        return devices.device(ref);
    }

    // ---- sessions ---------------------------------------------------------------------------

    @Override
    public PciConfig openConfig(BusAddress address) {
        takeover.notQuarantined(address);
        SysfsDevice dev = devices.sysfsDevice(address);
        return BackendResourceBase.tracked(open, untrack -> new SysfsPciConfig(dev, untrack, () -> vfio.resetThroughVfio(dev)));
    }

    @Override
    public IoMem openIoMem(DeviceRef device, int index) {
        if (device instanceof DeviceRef.Platform p) {
            devices.legacy(p.name());
            throw new BridgeException(Reason.NO_SUCH_RESOURCE, p.name(), "has no memory-mapped range " + index);
        }
        ResourceInfo r = devices.resource(device, index);
        if (r.space() != ResourceInfo.Space.MEMORY) {
            throw new BridgeException(Reason.NO_SUCH_RESOURCE, device.toString(),
                    "BAR " + index + " is an I/O BAR; open it as IoPort");
        }
        BusAddress a = ((DeviceRef.Pci) device).address();
        takeover.notQuarantined(a);
        SysfsDevice dev = devices.sysfsDevice(a);
        return BackendResourceBase.tracked(open, untrack -> new SysfsIoMem(dev, index, r.prefetchable(),
                () -> takeover.exported(a), untrack));
    }

    @Override
    public IoPort openIoPort(DeviceRef device, int index) {
        if (device instanceof DeviceRef.Platform p) {
            LegacyDevice l = devices.legacy(p.name());
            if (index != 0) {
                throw new BridgeException(Reason.NO_SUCH_RESOURCE, p.name(), "has one port range (index 0), not " + index);
            }
            Optional<Path> devPort = capabilities.devPort() ? Optional.of(options.devDir().resolve("port")) : Optional.empty();
            return BackendResourceBase.tracked(open, untrack -> new LegacyIoPort(device, l.portBase(), l.portCount(), devPort,
                    helper, capabilities.portHelperStatus(), untrack));
        }
        ResourceInfo r = devices.resource(device, index);
        if (r.space() != ResourceInfo.Space.IO) {
            throw new BridgeException(Reason.NO_SUCH_RESOURCE, device.toString(),
                    "BAR " + index + " is a memory BAR; open it as IoMem");
        }
        takeover.notQuarantined(((DeviceRef.Pci) device).address());
        SysfsDevice dev = devices.sysfsDevice(((DeviceRef.Pci) device).address());
        return BackendResourceBase.tracked(open, untrack -> new ResourceIoPort(dev, index, (int) r.start(), (int) r.size(),
                untrack));
    }

    @Override
    public Irq openIrq(DeviceRef device, IrqKind kind, int index) {
        if (device instanceof DeviceRef.Platform p) {
            devices.legacy(p.name());
            throw new BridgeException(Reason.UNSUPPORTED, p.name(), kind + " " + index + ": the kernel keeps legacy"
                    + " ISA interrupts (Linux has no user-level access to them); poll the device instead");
        }
        BusAddress a = ((DeviceRef.Pci) device).address();
        takeover.notQuarantined(a);
        return interrupts.open(devices.sysfsDevice(a), kind, index);
    }

    // ---- DMA and the rest -------------------------------------------------------------------

    /** A domain whose kind (VFIO container or huge pages) its devices' DMA routes decide ({@link DmaRouting}). */
    @Override
    public DmaDomain openDmaDomain(String name) {
        return dma.openDomain(name);
    }

    /**
     * IOMMU faults of devices attached to this backend's DMA domains, as the kernel logged them; empty when
     * the kernel log can't be read (the capability line says why).
     */
    @Override
    public List<DmaFault> dmaFaults() {
        return dma.faults();
    }

    @Override
    public long dmaFaultCount() {
        return dma.faultCount();
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
        return open.size() + dma.domainCount();
    }

    /**
     * Closes every session and domain, closes the VFIO groups, revokes the clients' mappings of exported BARs
     * ({@link LinuxTakeover#released}), then gives taken-over devices back.
     */
    @Override
    public void close() {
        for (BackendResource s : List.copyOf(open)) {
            try {
                s.close();
            } catch (RuntimeException e) {
                log.error("closing {}: {}", s.describe(), e.toString());
            }
        }
        dma.closeDomains();
        takeover.close();
        dma.closeFaults();
        takeover.closeJournal();
    }
}
