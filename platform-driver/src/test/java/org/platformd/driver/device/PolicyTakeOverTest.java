package org.platformd.driver.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.platformd.bridge.sim.SimBackend;
import org.platformd.pci.BusAddress;
import org.platformd.policy.LoadResult;
import org.platformd.policy.Policy;
import org.platformd.policy.PolicyLoader;

/** Which devices a policy hands from their kernel drivers: only those granted with driver_override="yes". */
class PolicyTakeOverTest {
    private static Policy parse(String xml) {
        LoadResult r = new PolicyLoader().parse("test-policy.xml", xml.getBytes(StandardCharsets.UTF_8));
        return assertInstanceOf(LoadResult.Loaded.class, r, r.toString()).policy();
    }

    @Test
    void onlyFunctionsGrantedWithDriverOverrideAreMarked() {
        try (SimBackend sim = SimBackend.builtIn()) {
            HostInventory inventory = BridgeInventory.read(sim);
            Policy policy = parse("""
                    <config>
                      <policy label="edu-driver">
                        <pci vendor_id="0x1234" device_id="0x11e8" driver_override="yes"/>
                      </policy>
                      <policy label="fb-driver">
                        <pci vendor_id="0x1234" device_id="0x1111"/>
                      </policy>
                      <policy label="pit-driver"><device name="pit"/></policy>
                    </config>
                    """);
            // both edu functions (one behind the bridges), not the display granted without the mark
            assertEquals(List.of(BusAddress.parse("0000:00:02.0"), BusAddress.parse("0000:02:00.0")),
                    PolicyTakeOver.marked(policy, inventory));
        }
    }

    @Test
    void theShippedPolicyMarksNothing() {
        try (SimBackend sim = SimBackend.builtIn()) {
            LoadResult r = new PolicyLoader().loadShippedExample();
            Policy shipped = assertInstanceOf(LoadResult.Loaded.class, r, r.toString()).policy();
            assertEquals(List.of(), PolicyTakeOver.marked(shipped, BridgeInventory.read(sim)));
        }
    }
}
