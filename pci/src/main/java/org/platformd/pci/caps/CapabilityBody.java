// The decoded contents of a capability whose registers we understand.
package org.platformd.pci.caps;

/**
 * The decoded contents of a capability whose registers we understand. Capabilities we only
 * name have no body.
 */
public sealed interface CapabilityBody
        permits PowerManagement, Msi, MsiX, PciExpress, Aer, SrIov, Acs, SubsystemId {
}
