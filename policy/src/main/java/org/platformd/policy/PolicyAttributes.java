// The session-wide attributes of a <policy> or <default-policy>.
package org.platformd.policy;

import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * The session-wide attributes of a {@code <policy>} or {@code <default-policy>}.
 *
 * @param info       {@code info="yes"}: the client may see physical addresses (BAR bases,
 *                   host bus addresses); default no
 * @param dmaQuota   {@code dma_quota}: most bytes a session may hold in DMA buffers at once
 * @param maxDevices {@code max_devices}: most devices a session may hold acquired at once;
 *                   empty when unlimited
 * @param peers      {@code uid}, {@code gid}, {@code tls_cn}: who may claim the rule's labels
 * @param kubelet    {@code kubelet="yes"}: the label is handed out by the kubelet (platformd's device plugin); a
 *                   session must also present the allocation token of the container it was allocated to, and gets
 *                   only the allocated devices; default no
 */
public record PolicyAttributes(boolean info, long dmaQuota, OptionalInt maxDevices, PeerBinding peers,
        boolean kubelet) {

    /** {@code dma_quota} when a policy does not say: 16 MiB. */
    public static final long DEFAULT_DMA_QUOTA = 16L << 20;
    /** Largest {@code dma_quota} accepted: 64 GiB. */
    public static final long MAX_DMA_QUOTA = 64L << 30;
    /** Largest {@code max_devices} accepted. */
    public static final int MAX_MAX_DEVICES = 65536;
    /** Largest uid/gid accepted (2^32-2; 2^32-1 is the kernel's "no id"). */
    public static final long MAX_ID = 0xfffffffeL;

    public static final PolicyAttributes DEFAULT =
            new PolicyAttributes(false, DEFAULT_DMA_QUOTA, OptionalInt.empty(), PeerBinding.OWNER, false);

    /** Attributes of a rule the kubelet does not hand out. */
    public PolicyAttributes(boolean info, long dmaQuota, OptionalInt maxDevices, PeerBinding peers) {
        this(info, dmaQuota, maxDevices, peers, false);
    }

    public PolicyAttributes {
        if (dmaQuota < 0 || dmaQuota > MAX_DMA_QUOTA) {
            throw new IllegalArgumentException("dma_quota out of range 0.." + MAX_DMA_QUOTA + ": " + dmaQuota);
        }
        if (maxDevices.isPresent() && (maxDevices.getAsInt() < 1 || maxDevices.getAsInt() > MAX_MAX_DEVICES)) {
            throw new IllegalArgumentException("max_devices out of range 1.." + MAX_MAX_DEVICES);
        }
        java.util.Objects.requireNonNull(peers, "peers");
    }

    /** {@code uid="N"}, if given (not for {@code uid="*"}). */
    public OptionalLong uid() {
        return peers.uid();
    }

    /** {@code gid="N"}, if given. */
    public OptionalLong gid() {
        return peers.gid();
    }
}
