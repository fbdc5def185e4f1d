// Reads the session attributes of a <policy> or <default-policy>: info, dma_quota, max_devices and the peer binding.
package org.platformd.policy;

import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.platformd.xml.XmlAttribute;

/**
 * Reads the attributes that a {@code <policy>} or {@code <default-policy>} gives its sessions:
 * {@code info}, {@code dma_quota}, {@code max_devices}, and the peer binding from {@code uid},
 * {@code gid} and {@code tls_cn} (which combinations go together, and the warning for
 * {@code uid="*"}). One instance per file.
 */
final class SessionAttributeReader {

    private final ProblemList problems;
    private final AttributeValues values;

    SessionAttributeReader(ProblemList problems, AttributeValues values) {
        this.problems = problems;
        this.values = values;
    }

    /** The session attributes given in {@code attrs} (already sorted into known ones), defaults for the rest. */
    PolicyAttributes read(Map<String, XmlAttribute> attrs, String who) {
        boolean info = values.bool(attrs.get("info"), who, false);
        long dmaQuota = PolicyAttributes.DEFAULT_DMA_QUOTA;
        XmlAttribute q = attrs.get("dma_quota");
        if (q != null) dmaQuota = values.size(q, who).orElse(PolicyAttributes.DEFAULT_DMA_QUOTA);
        OptionalInt maxDevices = OptionalInt.empty();
        XmlAttribute m = attrs.get("max_devices");
        if (m != null) {
            OptionalLong n = values.decimal(m, who, 1, PolicyAttributes.MAX_MAX_DEVICES,
                    "a count of devices from 1 to " + PolicyAttributes.MAX_MAX_DEVICES
                            + " (leave it out for no limit; to grant nothing, list no devices)");
            if (n.isPresent()) maxDevices = OptionalInt.of((int) n.getAsLong());
        }
        return new PolicyAttributes(info, dmaQuota, maxDevices, peers(attrs, who));
    }

    /** uid, gid and tls_cn: one of the four kinds of {@link PeerBinding}, or errors; uid="*" is warned about. */
    private PeerBinding peers(Map<String, XmlAttribute> attrs, String who) {
        XmlAttribute uidAttr = attrs.get("uid");
        XmlAttribute gidAttr = attrs.get("gid");
        XmlAttribute cnAttr = attrs.get("tls_cn");
        boolean everyUid = uidAttr != null && uidAttr.value().strip().equals("*");
        if (gidAttr != null && gidAttr.value().strip().equals("*")) {
            problems.error(gidAttr.location(), "gid=\"*\" in " + who + ": not needed; without gid every group is admitted."
                    + " To admit every local user write uid=\"*\"");
            return PeerBinding.OWNER;
        }
        OptionalLong uid = everyUid ? OptionalLong.empty() : id(uidAttr, who, "user");
        OptionalLong gid = id(gidAttr, who, "group");
        if (cnAttr != null) {
            if (cnAttr.value().isBlank()) {
                problems.error(cnAttr.location(), "tls_cn=\"\" in " + who + ": expected the client certificate's CN");
            } else if (uidAttr != null || gidAttr != null) {
                problems.error(cnAttr.location(), "tls_cn in " + who + " reserves its labels for one TLS client alone;"
                        + " uid and gid (which admit Unix-socket peers) cannot go with it");
            } else {
                return PeerBinding.tlsCommonName(cnAttr.value());
            }
            return PeerBinding.OWNER;
        }
        if (everyUid) {
            if (gidAttr != null) {
                problems.error(uidAttr.location(), "uid=\"*\" in " + who + " admits every local user; with gid write gid=\""
                        + gidAttr.value().strip() + "\" alone (any uid in that primary group)");
                return PeerBinding.OWNER;
            }
            problems.warning(uidAttr.location(), "uid=\"*\" in " + who + ": every local user (and any peer that can reach"
                    + " the daemon) may open sessions under it and drive what it grants; bind it with uid, gid or"
                    + " tls_cn unless that is intended");
            return PeerBinding.everyone();
        }
        return PeerBinding.credentials(uid, gid);
    }

    private OptionalLong id(XmlAttribute a, String who, String kind) {
        if (a == null) return OptionalLong.empty();
        return values.decimal(a, who, 0, PolicyAttributes.MAX_ID, "a numeric Unix " + kind + " ID (0 to "
                + PolicyAttributes.MAX_ID + "); names are not looked up");
    }
}
