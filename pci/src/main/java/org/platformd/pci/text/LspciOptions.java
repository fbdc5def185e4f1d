// What lspci's output flags ask for beyond names.
package org.platformd.pci.text;

/**
 * What lspci's output flags ask for beyond names: {@code -v} count ({@code verbose}, 0..3),
 * {@code -k} ({@code kernel}: the Subsystem and kernel driver lines without {@code -v}),
 * {@code -x} count ({@code hex}: 1 = the standard header, 3 = 256 bytes, 4 = 4096 bytes, each
 * only as far as the source could read) and {@code -D} ({@code domains}: always print the PCI
 * domain; lspci also does when any device is outside domain 0).
 */
public record LspciOptions(int verbose, boolean kernel, int hex, boolean domains) {
    public LspciOptions {
        if (verbose < 0 || hex < 0) {
            throw new IllegalArgumentException("verbose and hex counts are never negative");
        }
        verbose = Math.min(verbose, 3);
    }

    /** Just {@code -v} × {@code verbose}. */
    public static LspciOptions verbose(int verbose) {
        return new LspciOptions(verbose, false, 0, false);
    }
}
