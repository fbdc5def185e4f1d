package org.platformd.proto.v1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import org.junit.jupiter.api.Test;

/** The contract's messages survive JSON, the encoding grpcurl speaks, in both directions. */
class JsonWireFormatTest {

    private static final JsonFormat.Printer PRINTER = JsonFormat.printer();
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();

    @Test
    void aDeviceListRoundTripsAndKeepsPresenceOfHiddenAddresses() throws Exception {
        Device hidden = edu("0000:00:01.0").build();
        Device shown = edu("0000:00:02.0")
                .setHostAddress(PciAddress.newBuilder().setBus(3).setText("0000:03:00.0"))
                .setBars(0, hidden.getBars(0).toBuilder().setHostPhysicalAddress(0)) // present, and zero
                .build();
        ListDevicesResponse response = ListDevicesResponse.newBuilder()
                .addDevices(hidden).addDevices(shown).addDevices(pit()).build();

        ListDevicesResponse back = roundTrip(response);

        assertEquals(response, back);
        assertFalse(back.getDevices(0).getBars(0).hasHostPhysicalAddress(), "hidden address must stay absent");
        assertTrue(back.getDevices(1).getBars(0).hasHostPhysicalAddress(), "address 0 must stay present");
        assertFalse(back.getDevices(0).hasHostAddress());
    }

    @Test
    void sessionEventsRoundTripWithTheirOneofCase() throws Exception {
        WatchSessionResponse revoked = WatchSessionResponse.newBuilder().setEvent(SessionEvent.newBuilder()
                .setSequence(7)
                .setTime(Timestamp.newBuilder().setSeconds(1_700_000_000L).setNanos(5000))
                .setDeviceRevoked(DeviceRevoked.newBuilder().setDeviceName("0000:00:01.0")
                        .setReason(RevocationReason.REVOCATION_REASON_POLICY_CHANGED)
                        .setDetail("policy version 4 no longer grants it").setWasAcquired(true)))
                .build();
        WatchSessionResponse fault = WatchSessionResponse.newBuilder().setEvent(SessionEvent.newBuilder()
                .setSequence(8)
                .setDmaFault(DmaFault.newBuilder().setDeviceName("0000:00:01.0")
                        .setBusAddress(0xffff_ffff_ffff_f000L).setWrite(true).setLengthBytes(4096)))
                .build();

        assertEquals(revoked, roundTrip(revoked));
        WatchSessionResponse faultBack = roundTrip(fault);
        assertEquals(fault, faultBack);
        assertEquals(SessionEvent.EventCase.DMA_FAULT, faultBack.getEvent().getEventCase());
        // a bus address above 2^63 is a uint64, printed as a decimal string
        assertTrue(PRINTER.print(fault).contains("\"18446744073709547520\""), PRINTER.print(fault));
    }

    @Test
    void exportAndDmaMessagesRoundTrip() throws Exception {
        ExportResourceResponse export = ExportResourceResponse.newBuilder()
                .setToken("tok-3f9a").setExpireTime(Timestamp.newBuilder().setSeconds(1_700_000_010L))
                .setFdSocketPath("/run/user/1000/platformd/fd.sock")
                .addFdRoles(FdRole.FD_ROLE_MEMORY)
                .setRegion(MappableRegion.newBuilder().setMapLengthBytes(8192).setSizeBytes(4100)
                        .setBusAddress(0x1000_0000L))
                .build();
        WriteDmaRequest write = WriteDmaRequest.newBuilder().setSessionId("s1").setBufferId("b1")
                .setOffset(16).setData(ByteString.copyFrom(new byte[] {0, 1, (byte) 0xfe, (byte) 0xff}))
                .build();

        assertEquals(export, roundTrip(export));
        assertEquals(write, roundTrip(write));
    }

    @Test
    void grpcurlStyleRequestsParse() throws Exception {
        // What a user types after `grpcurl -d`: camelCase or proto names, enums by name,
        // 64-bit numbers as strings or numbers, durations as "30s".
        AccessRegistersRequest.Builder batch = AccessRegistersRequest.newBuilder();
        PARSER.merge("""
                {"sessionId": "s1", "device_name": "0000:00:01.0", "barIndex": 0,
                 "ops": [{"kind": "ACCESS_KIND_WRITE", "offset": "8", "widthBits": 32, "value": 12},
                         {"kind": "ACCESS_KIND_READ", "offset": 32, "width_bits": 64}]}
                """, batch);
        assertEquals("0000:00:01.0", batch.getDeviceName());
        assertEquals(2, batch.getOpsCount());
        assertEquals(AccessKind.ACCESS_KIND_WRITE, batch.getOps(0).getKind());
        assertEquals(8, batch.getOps(0).getOffset());
        assertEquals(12, batch.getOps(0).getValue());
        assertEquals(64, batch.getOps(1).getWidthBits());

        OpenSessionRequest.Builder open = OpenSessionRequest.newBuilder();
        PARSER.merge("{\"label\": \"edu-driver\", \"leaseDuration\": \"30s\"}", open);
        assertEquals(Duration.newBuilder().setSeconds(30).build(), open.getLeaseDuration());

        SetInterruptModeRequest.Builder mode = SetInterruptModeRequest.newBuilder();
        PARSER.merge("{\"mode\": \"INTERRUPT_MODE_MSI\", \"vectorCount\": 1}", mode);
        assertEquals(InterruptMode.INTERRUPT_MODE_MSI, mode.getMode());
    }

    @Test
    void unknownEnumNamesAreRejected() {
        SetInterruptModeRequest.Builder mode = SetInterruptModeRequest.newBuilder();
        assertThrows(InvalidProtocolBufferException.class,
                () -> PARSER.merge("{\"mode\": \"MSI\"}", mode)); // the prefix is part of the name
    }

    private static <T extends Message> T roundTrip(T message) throws InvalidProtocolBufferException {
        Message.Builder builder = message.newBuilderForType();
        PARSER.merge(PRINTER.print(message), builder);
        @SuppressWarnings("unchecked")
        T back = (T) builder.build();
        return back;
    }

    private static Device.Builder edu(String name) {
        return Device.newBuilder()
                .setName(name)
                .setKind(DeviceKind.DEVICE_KIND_PCI)
                .setVirtualAddress(PciAddress.newBuilder().setDevice(Integer.parseInt(name.substring(8, 10), 16))
                        .setText(name))
                .setVendorId(0x1234).setDeviceId(0x11e8).setClassCode(0x00ff00).setRevisionId(0x10)
                .setSubsystemVendorId(0x1af4).setSubsystemId(0x1100)
                .setProductName("QEMU edu").setClassName("Unclassified device")
                .addBars(Bar.newBuilder().setIndex(0).setKind(BarKind.BAR_KIND_MEMORY_32)
                        .setSizeBytes(1 << 20).setMappable(false))
                .setInterrupts(InterruptInfo.newBuilder().setPin(InterruptPin.INTERRUPT_PIN_INTA)
                        .addSupportedModes(InterruptMode.INTERRUPT_MODE_DISABLED)
                        .addSupportedModes(InterruptMode.INTERRUPT_MODE_INTX)
                        .addSupportedModes(InterruptMode.INTERRUPT_MODE_MSI)
                        .setMsiMaxVectors(1)
                        .setCurrentMode(InterruptMode.INTERRUPT_MODE_DISABLED))
                .addCapabilities(PciCapability.newBuilder().setId(0x05).setOffset(0x40).setName("MSI"))
                .setConfigSpaceSizeBytes(256)
                .setResetSupported(false)
                .setAvailability(DeviceAvailability.DEVICE_AVAILABILITY_FREE);
    }

    private static Device pit() {
        return Device.newBuilder()
                .setName("pit")
                .setKind(DeviceKind.DEVICE_KIND_LEGACY)
                .setProductName("Intel 8254 PIT")
                .addPortRanges(PortRange.newBuilder().setFirstPort(0x40).setPortCount(4))
                .setInterrupts(InterruptInfo.newBuilder()
                        .addSupportedModes(InterruptMode.INTERRUPT_MODE_DISABLED)
                        .addSupportedModes(InterruptMode.INTERRUPT_MODE_LEGACY_IRQ)
                        .setIrqLine(0))
                .setAvailability(DeviceAvailability.DEVICE_AVAILABILITY_BUSY)
                .build();
    }
}
