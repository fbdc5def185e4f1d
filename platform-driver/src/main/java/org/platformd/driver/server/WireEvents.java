// The domain's watch events (session/WatchEvent) as the wire's SessionEvent.
package org.platformd.driver.server;

import org.platformd.driver.session.WatchEvent;
import org.platformd.proto.v1.DeviceAdded;
import org.platformd.proto.v1.DeviceRevoked;
import org.platformd.proto.v1.DmaFault;
import org.platformd.proto.v1.InterruptModeChanged;
import org.platformd.proto.v1.KeepAlive;
import org.platformd.proto.v1.ProtoTime;
import org.platformd.proto.v1.SessionClosing;
import org.platformd.proto.v1.SessionEvent;
import org.platformd.proto.v1.WatchStarted;

/**
 * The domain's watch events as the wire's {@link SessionEvent}: one case per {@link WatchEvent} record (the
 * {@code switch} is exhaustive over the sealed interface), devices through {@link DeviceDescriber}, enums
 * through {@link WireEnums}. Thread-safe.
 */
final class WireEvents {
    private final DeviceDescriber describer;

    WireEvents(DeviceDescriber describer) {
        this.describer = describer;
    }

    SessionEvent wire(WatchEvent.Stamped stamped) {
        SessionEvent.Builder b = SessionEvent.newBuilder().setSequence(stamped.sequence())
                .setTime(ProtoTime.of(stamped.time()));
        return stamped.event().accept(new WatchEvent.Visitor<SessionEvent.Builder>() {
            @Override
            public SessionEvent.Builder started(WatchEvent.Started e) {
                return b.setWatchStarted(WatchStarted.newBuilder()
                        .setKeepAliveInterval(com.google.protobuf.Duration.newBuilder()
                                .setSeconds(e.keepAliveInterval().getSeconds()))
                        .addAllDevices(e.devices().stream().map(describer::describe).toList()));
            }

            @Override
            public SessionEvent.Builder deviceAdded(WatchEvent.DeviceAdded e) {
                return b.setDeviceAdded(DeviceAdded.newBuilder().setDevice(describer.describe(e.device())));
            }

            @Override
            public SessionEvent.Builder deviceRevoked(WatchEvent.DeviceRevoked e) {
                return b.setDeviceRevoked(DeviceRevoked.newBuilder().setDeviceName(e.deviceName())
                        .setReason(WireEnums.wire(e.reason())).setDetail(e.detail()).setWasAcquired(e.wasAcquired()));
            }

            @Override
            public SessionEvent.Builder interruptModeChanged(WatchEvent.InterruptModeChanged e) {
                return b.setInterruptModeChanged(InterruptModeChanged.newBuilder().setDeviceName(e.deviceName())
                        .setMode(WireEnums.wire(e.mode())).setVectorCount(e.vectorCount()));
            }

            @Override
            public SessionEvent.Builder dmaFault(WatchEvent.DmaFault e) {
                return b.setDmaFault(DmaFault.newBuilder().setDeviceName(e.deviceName()).setBusAddress(e.busAddress())
                        .setWrite(e.write()).setLengthBytes(e.lengthBytes()).setDetail(e.detail()));
            }

            @Override
            public SessionEvent.Builder sessionClosing(WatchEvent.SessionClosing e) {
                return b.setSessionClosing(SessionClosing.newBuilder().setReason(WireEnums.wire(e.reason()))
                        .setDetail(e.detail()));
            }

            @Override
            public SessionEvent.Builder keepAlive(WatchEvent.KeepAlive e) {
                return b.setKeepAlive(KeepAlive.newBuilder().setLeaseExpireTime(ProtoTime.of(e.leaseExpiry())));
            }
        }).build();
    }
}
