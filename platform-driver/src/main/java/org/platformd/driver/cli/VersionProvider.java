// The version printed by --version: the jar's implementation version when packaged.
package org.platformd.driver.cli;

import picocli.CommandLine;

/** The version printed by {@code --version}: the jar's implementation version when packaged. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {version()};
    }

    /** The version line, for commands that print it without picocli. */
    public static String version() {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return "platformd " + (v == null ? "(development build)" : v);
    }
}
