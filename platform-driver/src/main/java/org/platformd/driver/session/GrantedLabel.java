// A label the policy names exactly (<policy label="...">), with the host devices it grants.
package org.platformd.driver.session;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.platformd.driver.device.HostDevice;
import org.platformd.driver.device.HostInventory;
import org.platformd.policy.LabelSelector;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyRule;

/**
 * A label the policy names exactly ({@code <policy label="...">}), with the host devices it grants: what the
 * daemon offers to containers (one CDI device per label) and to Kubernetes (one resource per label). Rules that
 * match by prefix or suffix, and the default policy, name no label a container could ask for, so they are not
 * offered. {@code kubelet}: the label's rule says {@code kubelet="yes"} (its sessions need an allocation token).
 */
public record GrantedLabel(String label, List<HostDevice> devices, boolean kubelet) {

    public GrantedLabel {
        devices = List.copyOf(devices);
    }

    /** The exactly named labels of {@code policy}, in the policy's order, with what each grants on {@code inventory}. */
    public static List<GrantedLabel> of(PolicyState policy, HostInventory inventory) {
        Map<String, GrantedLabel> out = new LinkedHashMap<>();
        for (PolicyRule rule : policy.policy().rules()) {
            LabelSelector sel = rule.selector().orElse(null);
            if (sel == null || sel.label().isEmpty() || sel.prefix().isPresent() || sel.suffix().isPresent()) {
                continue;
            }
            List<HostDevice> devices = new ArrayList<>();
            for (var grant : Policy.grants(rule, inventory.policyView())) {
                devices.add(inventory.of(grant.device()));
            }
            out.putIfAbsent(sel.label().get(), new GrantedLabel(sel.label().get(), devices,
                    rule.attributes().kubelet()));
        }
        return List.copyOf(out.values());
    }
}
