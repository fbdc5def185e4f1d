// Offsets and bits of the configuration header (PCI Local Bus spec; names as in pciutils' header.h).
package org.platformd.pci.config;

/** Offsets and bits of the configuration header (PCI Local Bus spec; names as in pciutils' header.h). */
public final class ConfigRegisters {
    private ConfigRegisters() {
    }

    public static final int VENDOR_ID = 0x00;
    public static final int DEVICE_ID = 0x02;
    public static final int COMMAND = 0x04;
    public static final int STATUS = 0x06;
    public static final int REVISION_ID = 0x08;
    public static final int PROG_IF = 0x09;
    public static final int SUBCLASS = 0x0a;
    public static final int BASE_CLASS = 0x0b;
    public static final int CACHE_LINE_SIZE = 0x0c;
    public static final int LATENCY_TIMER = 0x0d;
    public static final int HEADER_TYPE = 0x0e;
    public static final int BIST = 0x0f;
    public static final int BAR0 = 0x10;
    public static final int SUBSYSTEM_VENDOR_ID = 0x2c;
    public static final int SUBSYSTEM_ID = 0x2e;
    public static final int ROM_ADDRESS = 0x30;
    public static final int CAPABILITY_LIST = 0x34;
    public static final int INTERRUPT_LINE = 0x3c;
    public static final int INTERRUPT_PIN = 0x3d;
    public static final int MIN_GNT = 0x3e;
    public static final int MAX_LAT = 0x3f;

    // header type 1 (PCI-to-PCI bridge)
    public static final int PRIMARY_BUS = 0x18;
    public static final int SECONDARY_BUS = 0x19;
    public static final int SUBORDINATE_BUS = 0x1a;
    public static final int SEC_LATENCY_TIMER = 0x1b;
    public static final int IO_BASE = 0x1c;
    public static final int IO_LIMIT = 0x1d;
    public static final int SEC_STATUS = 0x1e;
    public static final int MEMORY_BASE = 0x20;
    public static final int MEMORY_LIMIT = 0x22;
    public static final int PREF_MEMORY_BASE = 0x24;
    public static final int PREF_MEMORY_LIMIT = 0x26;
    public static final int PREF_BASE_UPPER32 = 0x28;
    public static final int PREF_LIMIT_UPPER32 = 0x2c;
    public static final int IO_BASE_UPPER16 = 0x30;
    public static final int IO_LIMIT_UPPER16 = 0x32;
    public static final int ROM_ADDRESS1 = 0x38;
    public static final int BRIDGE_CONTROL = 0x3e;

    // header type 2 (CardBus bridge)
    public static final int CB_CAPABILITY_LIST = 0x14;
    public static final int CB_SEC_STATUS = 0x16;
    public static final int CB_PRIMARY_BUS = 0x18;
    public static final int CB_CARD_BUS = 0x19;
    public static final int CB_SUBORDINATE_BUS = 0x1a;
    public static final int CB_LATENCY_TIMER = 0x1b;
    public static final int CB_MEMORY_BASE_0 = 0x1c;
    public static final int CB_MEMORY_LIMIT_0 = 0x20;
    public static final int CB_IO_BASE_0 = 0x2c;
    public static final int CB_IO_LIMIT_0 = 0x30;
    public static final int CB_BRIDGE_CONTROL = 0x3e;
    public static final int CB_SUBSYSTEM_VENDOR_ID = 0x40;
    public static final int CB_SUBSYSTEM_ID = 0x42;
    public static final int CB_LEGACY_MODE_BASE = 0x44;

    public static final int HEADER_TYPE_NORMAL = 0;
    public static final int HEADER_TYPE_BRIDGE = 1;
    public static final int HEADER_TYPE_CARDBUS = 2;

    public static final int COMMAND_IO = 0x1;
    public static final int COMMAND_MEMORY = 0x2;
    public static final int COMMAND_MASTER = 0x4;
    public static final int STATUS_CAP_LIST = 0x10;
}
