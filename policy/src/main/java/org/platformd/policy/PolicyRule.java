// One <policy> (or the <default-policy>, which has no label selector).
package org.platformd.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.platformd.xml.XmlLocation;

/**
 * One {@code <policy>} (or the {@code <default-policy>}, which has no label selector): who
 * it is for, what sessions under it may do, and which devices it grants. Immutable.
 */
public record PolicyRule(Optional<LabelSelector> selector, PolicyAttributes attributes, List<DeviceSelector> devices,
                         XmlLocation location) {

    public PolicyRule {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(attributes, "attributes");
        devices = List.copyOf(devices);
        Objects.requireNonNull(location, "location");
    }

    public boolean isDefault() {
        return selector.isEmpty();
    }

    /** {@code <policy label="edu-driver">} or {@code <default-policy>}, for messages. */
    public String describe() {
        return selector.map(s -> "<policy " + s.describe() + ">").orElse("<default-policy>");
    }

    @Override
    public String toString() {
        return describe() + " at " + location;
    }
}
