package org.platformd.driver.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.platformd.bridge.DeviceRef;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.PlatformError;
import org.platformd.pci.BusAddress;
import org.platformd.policy.DeviceAccess;

/**
 * The config-space permission table, row by row, over a fake device: what a client reads, what its writes
 * change on the device and what they drop — for endpoints and bridges, every capability the table names,
 * and hostile capability chains (loops, pointers into the header, vendor lengths over other capabilities).
 */
class ConfigPermissionsTest {
    static final BusMasterGate ALLOW = new BusMasterGate("0000:00:00.0", DeviceRef.pci(BusAddress.parse("0000:00:03.0")),
            DeviceAccess.DEFAULT, "<policy label=\"t\">", Optional.empty());

    /** One write and what must follow: the client's read-back, the dropped bits, the device's bytes there. */
    record Row(String what, int offset, int width, long value, long readBack, long dropped, long device) {
        @Override
        public String toString() {
            return what;
        }
    }

    // ---- endpoint header -------------------------------------------------------------------------------

    static ConfigImage endpoint() {
        return ConfigImage.endpoint(256)
                .put16(0x06, 0xf910)            // status: every write-1-to-clear error bit set, capability list
                .put32(0x08, 0x00ff0010)        // class, revision
                .put8(0x0c, 0x10)               // cache line size
                .memBar(0, 0xfea00000L, 1 << 20, false)
                .memBar(2, 0x8_0000_0000L, 8L << 30, true)
                .put32(0x30, 0xfeb00001L)       // an enabled expansion ROM
                .put8(0x3c, 0x0b).put8(0x3d, 0x01);
    }

    static Stream<Row> endpointRows() {
        return Stream.of(
                new Row("vendor/device ID read-only", 0x00, 4, 0xffffffffL, 0x11e81234L, 0xffffffffL, 0x11e81234L),
                new Row("command: decode and bus master reach the device; INTx disable is remembered, not applied",
                        0x04, 2, 0x0407, 0x0407, 0, 0x0007),
                new Row("command: SERR, parity, fast back-to-back are not the client's", 0x04, 2, 0x0340, 0, 0x0340, 0),
                new Row("status: write-1-to-clear bits never written", 0x06, 2, 0xffff, 0xf910, 0xffff, 0xf910),
                new Row("command and status in one 32-bit write: status survives", 0x04, 4, 0xffff0002L, 0xf9100002L,
                        0xffff0000L, 0xf9100002L),
                new Row("class and revision read-only", 0x08, 4, 0, 0x00ff0010L, 0, 0x00ff0010L),
                new Row("cache line size read-only", 0x0c, 1, 0x20, 0x10, 0x20, 0x10),
                new Row("header type read-only", 0x0e, 1, 0x81, 0x00, 0x81, 0x00),
                new Row("BAR0 sized by all ones; the device's BAR untouched", 0x10, 4, 0xffffffffL, 0xfff00000L,
                        0x000fffffL, 0xfea00000L),
                new Row("BAR0 address written: kept in the emulated copy only", 0x10, 4, 0x12300000L, 0x12300000L,
                        0, 0xfea00000L),
                new Row("64-bit BAR2's upper half sizes too (8 GiB)", 0x1c, 4, 0xffffffffL, 0xfffffffeL, 1, 0x8),
                new Row("unused BAR reads 0 and keeps nothing", 0x24, 4, 0xffffffffL, 0, 0xffffffffL, 0),
                new Row("expansion ROM hidden", 0x30, 4, 0xffffffffL, 0, 0xffffffffL, 0xfeb00001L),
                new Row("interrupt line hidden", 0x3c, 1, 0x05, 0xff, 0x05, 0x0b),
                new Row("interrupt pin read-only", 0x3d, 1, 0x04, 0x01, 0x04, 0x01));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpointRows")
    void endpointHeader(Row row) {
        check(endpoint(), false, row);
    }

    static Stream<Row> endpointRowsWithInfo() {
        return Stream.of(
                new Row("BAR0 shows the device's address (written back as a driver restoring it would)", 0x10, 4,
                        0xfea00000L, 0xfea00000L, 0, 0xfea00000L),
                new Row("64-bit BAR2 shows its upper half", 0x1c, 4, 0x8, 0x8, 0, 0x8),
                new Row("the expansion ROM stays hidden", 0x30, 4, 0, 0, 0, 0xfeb00001L),
                new Row("interrupt line shown, still read-only", 0x3c, 1, 0x05, 0x0b, 0x05, 0x0b));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("endpointRowsWithInfo")
    void endpointHeaderWithInfo(Row row) {
        check(endpoint(), true, row);
    }

    @Test
    void withInfoBarsShowTheDevicesAddresses() {
        ConfigVirtualizer v = endpoint().virtualizer(true);
        assertEquals(0xfea00000L, v.read(0x10, 4));
        assertEquals(0x4, v.read(0x18, 4));
        assertEquals(0x8, v.read(0x1c, 4));
    }

    @Test
    void withoutInfoBarsShowTheirTypeBitsOnly() {
        ConfigVirtualizer v = endpoint().virtualizer(false);
        assertEquals(0, v.read(0x10, 4), "32-bit memory BAR: address hidden");
        assertEquals(0x4, v.read(0x18, 4), "64-bit memory BAR: type bits kept");
        assertEquals(0, v.read(0x1c, 4), "its upper half hidden");
    }

    @Test
    void aClientsIntxDisableNeverReachesTheDeviceWhoseServerSetsIt() {
        ConfigImage img = endpoint().put16(0x04, 0x0400); // the server disabled INTx (no INTx mode set)
        ConfigVirtualizer v = img.virtualizer(false);
        assertEquals(0x0400, v.read(0x04, 2), "seeded from the device");
        v.write(0x04, 2, 0x0002, ALLOW);                 // the client clears it with memory decode on
        assertEquals(0x0002, v.read(0x04, 2), "read back as written");
        assertEquals(0x0402, img.hardware().read16(0x04), "the device keeps INTx disabled");
    }

    // ---- bridge header ---------------------------------------------------------------------------------

    static ConfigImage bridge() {
        return ConfigImage.bridge()
                .put16(0x06, 0x0010)
                .put32(0x08, 0x06040000L)
                .memBar(0, 0xfe800000L, 4096, false)
                .put32(0x18, 0x00020100L)              // primary 0, secondary 1, subordinate 2
                .put32(0x1c, 0x22a0f0f0L)              // I/O window, secondary status with error bits
                .put32(0x20, 0xfe70fe60L)              // memory window
                .put32(0x30, 0x00000000L)              // I/O upper halves
                .put32(0x38, 0xfe600001L)              // the bridge's expansion ROM
                .put8(0x3c, 0x0a).put8(0x3d, 0x01)
                .put16(0x3e, 0x0003);                  // bridge control: parity, SERR
    }

    static Stream<Row> bridgeRows() {
        return Stream.of(
                new Row("command as on an endpoint", 0x04, 2, 0x0407, 0x0407, 0, 0x0007),
                new Row("BAR0 hidden and sizable", 0x10, 4, 0xffffffffL, 0xfffff000L, 0xfffL, 0xfe800000L),
                new Row("BAR1 unused", 0x14, 4, 0xffffffffL, 0, 0xffffffffL, 0),
                new Row("bus numbers read-only", 0x18, 4, 0x00ffffffL, 0x00020100L, 0x00ffffffL, 0x00020100L),
                new Row("I/O window and secondary status read-only", 0x1c, 4, 0xffffffffL, 0x22a0f0f0L, 0xffffffffL,
                        0x22a0f0f0L),
                new Row("memory window read-only", 0x20, 4, 0, 0xfe70fe60L, 0, 0xfe70fe60L),
                new Row("I/O upper halves read through (where type 0 has its ROM)", 0x30, 4, 0xffffffffL, 0,
                        0xffffffffL, 0),
                new Row("expansion ROM at 0x38 hidden", 0x38, 4, 0xffffffffL, 0, 0xffffffffL, 0xfe600001L),
                new Row("interrupt line hidden", 0x3c, 1, 0x05, 0xff, 0x05, 0x0a),
                new Row("bridge control (secondary bus reset) read-only", 0x3e, 2, 0x0040, 0x0003, 0x0040, 0x0003));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bridgeRows")
    void bridgeHeader(Row row) {
        check(bridge(), false, row);
    }

    private static void check(ConfigImage img, boolean info, Row row) {
        ConfigVirtualizer v = img.virtualizer(info);
        byte[] before = img.bytes.clone();
        long dropped = v.write(row.offset(), row.width(), row.value(), ALLOW);
        assertEquals(Long.toHexString(row.dropped()), Long.toHexString(dropped), "dropped bits");
        assertEquals(Long.toHexString(row.readBack()), Long.toHexString(v.read(row.offset(), row.width())), "read back");
        long device = 0;
        for (int i = 0; i < row.width(); i++) {
            device |= (img.bytes[row.offset() + i] & 0xffL) << (8 * i);
            before[row.offset() + i] = img.bytes[row.offset() + i];
        }
        assertEquals(Long.toHexString(row.device()), Long.toHexString(device), "on the device");
        assertArrayEquals(before, img.bytes, "nothing else on the device changed");
    }

    // ---- capabilities: every one the table names -------------------------------------------------------

    private static final int CAP = 0x50;
    private static final int EXT = 0x100;

    /** A device with the standard capability {@code id} at 0x50, filled the way a real one would be. */
    static ConfigImage withStandard(int id) {
        ConfigImage img = ConfigImage.endpoint(256).cap(CAP, id);
        switch (id) {
            case 0x01 -> img.put16(CAP + 2, 0x0003).put16(CAP + 4, 0x8008);  // PM: PME status (W1C) set
            case 0x05 -> img.put16(CAP + 2, 0x0180).put32(CAP + 4, 0xfee00000L).put32(CAP + 8, 0)
                    .put16(CAP + 0x0c, 0x4041);                             // MSI, 64-bit, per-vector masking
            case 0x07 -> img.put16(CAP + 2, 0x0002);
            case 0x09 -> img.put8(CAP + 2, 0x10).put32(CAP + 4, 0x55aa55aaL); // vendor: 16 bytes
            case 0x0d -> img.put32(CAP + 4, 0x00011af4L);
            case 0x10 -> img.put16(CAP + 2, 0x0002).put16(CAP + 8, 0x2810);  // Express v2: device control
            case 0x11 -> img.put16(CAP + 2, 0x0003).put32(CAP + 4, 0x2000).put32(CAP + 8, 0x3000);
            case 0x13 -> img.put8(CAP + 2, 0x06).put8(CAP + 3, 0x03);
            default -> fail("no fixture for standard capability 0x" + Integer.toHexString(id) + " the table names");
        }
        return img;
    }

    /** A 4 KiB device with an Express capability and the extended capability {@code id} at 0x100. */
    static ConfigImage withExtended(int id) {
        ConfigImage img = ConfigImage.endpoint(4096).cap(0x40, 0x10).put16(0x42, 0x0002).extCap(EXT, id, 1, 0);
        switch (id) {
            case 0x0001 -> img.put32(EXT + 4, 0x00100000L);               // AER: uncorrectable status (W1C)
            case 0x0003 -> img.put32(EXT + 4, 0x12345678L);
            case 0x000b -> img.put32(EXT + 4, 0x0200_0001L).put32(EXT + 8, 0xcafe);  // VSEC: 32 bytes
            case 0x000d -> img.put16(EXT + 4, 0x001f);
            case 0x000e -> img.put16(EXT + 4, 0x0100);
            case 0x0010 -> img.put16(EXT + 8, 0x0000).put32(EXT + 0x24, 0xfd000000L)  // VF BAR0 32-bit
                    .put32(EXT + 0x28, 0x0000000cL).put32(EXT + 0x2c, 0x00000001L); // VF BAR1 64-bit pref
            default -> fail("no fixture for extended capability 0x" + Integer.toHexString(id) + " the table names");
        }
        return img;
    }

    @TestFactory
    Stream<DynamicTest> everyStandardCapabilityOfTheTable() {
        return PermissionTable.STANDARD.entrySet().stream().map(e -> DynamicTest.dynamicTest(
                e.getValue().name(), () -> onlyVendorBytesWritable(withStandard(e.getKey()), CAP,
                        e.getValue().layout().apply(withStandard(e.getKey()).hardware(), CAP))));
    }

    @TestFactory
    Stream<DynamicTest> everyExtendedCapabilityOfTheTable() {
        return PermissionTable.EXTENDED.entrySet().stream().map(e -> DynamicTest.dynamicTest(
                e.getValue().name(), () -> onlyVendorBytesWritable(withExtended(e.getKey()), EXT,
                        e.getValue().layout().apply(withExtended(e.getKey()).hardware(), EXT))));
    }

    /** Byte by byte over the capability: all ones written; only a vendor capability's body reaches the device. */
    private static void onlyVendorBytesWritable(ConfigImage img, int at, CapabilityLayout layout) {
        ConfigVirtualizer v = img.virtualizer(true);
        for (int i = 0; i < layout.length(); i++) {
            int before = img.bytes[at + i] & 0xff;
            long dropped = v.write(at + i, 1, 0xff, ALLOW);
            boolean writable = layout.isVendor() && i >= layout.writableFrom();
            assertEquals(writable ? 0xff : before, img.bytes[at + i] & 0xff, "byte 0x" + Integer.toHexString(at + i));
            assertEquals(writable ? 0 : 0xff, dropped, "dropped at 0x" + Integer.toHexString(at + i));
        }
    }

    @Test
    void msiAddressAndDataAreHiddenWithoutInfo() {
        ConfigImage img = withStandard(0x05);
        ConfigVirtualizer hidden = img.virtualizer(false);
        assertEquals(0, hidden.read(CAP + 4, 4), "message address");
        assertEquals(0, hidden.read(CAP + 8, 4), "upper address");
        assertEquals(0, hidden.read(CAP + 0x0c, 2), "message data");
        assertEquals(0x0180, hidden.read(CAP + 2, 2), "control reads through");
        ConfigVirtualizer shown = img.virtualizer(true);
        assertEquals(0xfee00000L, shown.read(CAP + 4, 4));
        assertEquals(0x4041, shown.read(CAP + 0x0c, 2));
        img.put32(CAP + 4, 0xfee01000L); // the server reprograms MSI: info="yes" sees the device as it is now
        assertEquals(0xfee01000L, shown.read(CAP + 4, 4));
    }

    @Test
    void thirtyTwoBitMsiHidesItsDataWhereItIs() {
        ConfigImage img = ConfigImage.endpoint(256).cap(CAP, 0x05).put16(CAP + 2, 0x0000).put32(CAP + 4, 0xfee00000L)
                .put16(CAP + 8, 0x4022).put8(CAP + 0x0a, 0x77);
        ConfigVirtualizer v = img.virtualizer(false);
        assertEquals(0, v.read(CAP + 8, 2), "data at +8 without a 64-bit address");
        assertEquals(0x77, v.read(CAP + 0x0a, 1), "past the capability's 10 bytes");
    }

    @Test
    void sriovVfBarsShowTypeBitsButNoAddressWithoutInfo() {
        ConfigImage img = withExtended(0x0010);
        ConfigVirtualizer hidden = img.virtualizer(false);
        assertEquals(0, hidden.read(EXT + 0x24, 4), "32-bit VF BAR0");
        assertEquals(0xc, hidden.read(EXT + 0x28, 4), "64-bit prefetchable VF BAR1: type bits");
        assertEquals(0, hidden.read(EXT + 0x2c, 4), "its upper half");
        ConfigVirtualizer shown = img.virtualizer(true);
        assertEquals(0xfd000000L, shown.read(EXT + 0x24, 4));
        assertEquals(1, shown.read(EXT + 0x2c, 4));
    }

    @Test
    void theTableNamesTheCapabilitiesThisTestCovers() {
        assertEquals(List.of(0x01, 0x05, 0x07, 0x09, 0x0d, 0x10, 0x11, 0x13),
                PermissionTable.STANDARD.keySet().stream().sorted().toList());
        assertEquals(List.of(0x01, 0x03, 0x0b, 0x0d, 0x0e, 0x10),
                PermissionTable.EXTENDED.keySet().stream().sorted().toList());
    }

    // ---- hostile and overlapping chains ----------------------------------------------------------------

    /** Offsets a client can write at all (byte writes of all ones that reach the device). */
    private static List<Integer> writableBytes(ConfigImage img) {
        ConfigVirtualizer v = img.virtualizer(true);
        List<Integer> out = new ArrayList<>();
        for (int at = 0; at < img.bytes.length; at++) {
            if (at >= 0x10 && at < 0x28 || at == 0x04) {
                continue; // BARs (emulated) and the command register have their own rows
            }
            byte was = img.bytes[at];
            v.write(at, 1, 0xff, ALLOW);
            if (img.bytes[at] != was) {
                out.add(at);
            }
        }
        return out;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(i);
        }
        return out;
    }

    /** A hostile or overlapping chain and the only bytes a client may write on it. */
    record Chain(String what, ConfigImage image, List<Integer> writable) {
        @Override
        public String toString() {
            return what;
        }
    }

    private static List<Integer> plus(List<Integer> a, List<Integer> b) {
        List<Integer> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static Stream<Chain> hostileChains() {
        return Stream.of(
                new Chain("a vendor length over MSI stops at MSI",
                        ConfigImage.endpoint(256).cap(0x40, 0x09).put8(0x42, 0x40).cap(0x50, 0x05), range(0x43, 0x50)),
                new Chain("a vendor length over MSI-X stops at MSI-X, wherever it is in the chain",
                        ConfigImage.endpoint(256).cap(0x60, 0x11).cap(0x40, 0x09).put8(0x42, 0xff), range(0x43, 0x60)),
                new Chain("a vendor length never crosses into extended config space",
                        ConfigImage.endpoint(4096).cap(0x40, 0x10).put16(0x42, 0x0002).cap(0xf0, 0x09).put8(0xf2, 0xff),
                        range(0xf3, 0x100)),
                new Chain("a vendor length never crosses past config space",
                        ConfigImage.endpoint(256).cap(0xf8, 0x09).put8(0xfa, 0xff), range(0xfb, 0x100)),
                new Chain("a vendor length stops at an unknown capability",
                        ConfigImage.endpoint(256).cap(0x40, 0x09).put8(0x42, 0x80).cap(0x48, 0x0f), range(0x43, 0x48)),
                new Chain("a vendor capability inside MSI gets nothing",
                        ConfigImage.endpoint(256).cap(0x40, 0x05).put16(0x42, 0x0180).cap(0x48, 0x09).put8(0x4a, 0x20),
                        List.of()),
                new Chain("one vendor capability never covers the next one's header",
                        ConfigImage.endpoint(256).cap(0x40, 0x09).put8(0x42, 0x40).cap(0x50, 0x09).put8(0x52, 0x08),
                        plus(range(0x43, 0x50), range(0x53, 0x58))),
                new Chain("an extended vendor length stops at the next capability",
                        ConfigImage.endpoint(4096).cap(0x40, 0x10).put16(0x42, 0x0002)
                                .extCap(0x100, 0x000b, 1, 0x140).put32(0x104, 0xfff0_0001L) // VSEC of 0xfff bytes
                                .extCap(0x140, 0x0001, 2, 0),                               // AER
                        range(0x108, 0x140)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileChains")
    void vendorLengthsAreClamped(Chain chain) {
        assertEquals(chain.writable(), writableBytes(chain.image()));
    }

    @Test
    void aCapabilityPointingIntoTheHeaderIsIgnored() {
        ConfigImage img = endpoint().cap(0x08, 0x09).put8(0x0a, 0xff); // "vendor cap" over class and BARs
        assertEquals(List.of(), writableBytes(img));
        ConfigVirtualizer v = img.virtualizer(false);
        assertEquals(0, v.read(0x10, 4), "BAR0 still hidden");
        assertEquals(0, v.read(0x30, 4), "ROM still hidden");
    }

    @Test
    void aLoopingChainEndsAndKeepsWhatItFound() {
        ConfigImage img = ConfigImage.endpoint(256).cap(0x40, 0x09).put8(0x42, 0x10).cap(0x50, 0x05);
        img.put8(0x51, 0x40); // MSI's next points back to the vendor capability
        assertEquals(range(0x43, 0x50), writableBytes(img));
        assertEquals(0, img.virtualizer(false).read(0x54, 4), "MSI's address still hidden");
    }

    // ---- numbers from the wire -------------------------------------------------------------------------

    static Stream<Arguments> badAccesses() {
        return Stream.of(
                Arguments.of(0x7ffffffc, 4, ErrorCode.OUT_OF_RANGE),
                Arguments.of(0x7fffffff, 1, ErrorCode.OUT_OF_RANGE),
                Arguments.of(0xfffffffc, 4, ErrorCode.OUT_OF_RANGE),  // uint32 4294967292: a negative int
                Arguments.of(0x80000000, 2, ErrorCode.OUT_OF_RANGE),
                Arguments.of(0x100, 4, ErrorCode.OUT_OF_RANGE),
                Arguments.of(0xfe, 4, ErrorCode.OUT_OF_RANGE),
                Arguments.of(0x02, 4, ErrorCode.INVALID_ARGUMENT),
                Arguments.of(0x01, 2, ErrorCode.INVALID_ARGUMENT),
                Arguments.of(0x00, 3, ErrorCode.INVALID_ARGUMENT),
                Arguments.of(0x00, 0, ErrorCode.INVALID_ARGUMENT),
                Arguments.of(0x00, 8, ErrorCode.INVALID_ARGUMENT),
                Arguments.of(0x00, 0xffffffff, ErrorCode.INVALID_ARGUMENT),
                Arguments.of(0x04, 0x80000004, ErrorCode.INVALID_ARGUMENT));
    }

    @ParameterizedTest(name = "offset {0} width {1}: {2}")
    @MethodSource("badAccesses")
    void badNumbersGetTheRightCodeAndTouchNothing(int offset, int width, ErrorCode code) {
        ConfigImage img = endpoint();
        ConfigVirtualizer v = img.virtualizer(false);
        assertEquals(code, assertThrows(PlatformError.class, () -> v.read(offset, width)).code());
        assertEquals(code, assertThrows(PlatformError.class, () -> v.write(offset, width, 0xffffffffL, ALLOW))
                .code());
        assertEquals(List.of(), img.hardware().writes);
    }

    @Test
    void everyByteOfConfigSpaceAnswersEveryWidth() {
        ConfigImage img = ConfigImage.endpoint(4096).cap(0x40, 0x10).put16(0x42, 0x0002).cap(0x80, 0x09).put8(0x82, 0xff)
                .extCap(0x100, 0x000b, 1, 0).put32(0x104, 0xfff0_0001L);
        ConfigVirtualizer v = img.virtualizer(false);
        for (int width : new int[] {1, 2, 4}) {
            for (int at = 0; at < 4096; at += width) {
                v.read(at, width);
                v.write(at, width, 0, ALLOW);
            }
        }
        assertTrue(img.hardware().writes.stream().noneMatch(w -> w.offset() <= 0x07 && w.offset() + w.width() > 0x06),
                "status never written: " + img.hardware().writes);
    }
}
