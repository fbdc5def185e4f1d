// One place the daemon listens, and what it can prove about the peers that connect there.
package org.platformd.driver.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Set;

/** One place the daemon listens, and what it can prove about the peers that connect there. */
public sealed interface Listener {

    /** The Unix socket: peers identified by SO_PEERCRED; the only listener that can pass fds. */
    record Unix(Path socket) implements Listener {}

    /**
     * TCP with mutual TLS: the client must present a certificate signed by {@code clientCa};
     * its CN is the peer's name (and the session label); CNs in {@code adminCommonNames} may
     * call AdminService.
     */
    record Tls(InetSocketAddress address, Path certificateChain, Path privateKey, Path clientCa,
            Set<String> adminCommonNames) implements Listener {}

    /** Plain TCP on a loopback address, for development only: peers are anonymous. */
    record InsecureLoopback(InetSocketAddress address) implements Listener {
        public InsecureLoopback {
            if (!address.getAddress().isLoopbackAddress()) {
                throw new IllegalArgumentException("--insecure-tcp-loopback needs a loopback address, not " + address);
            }
        }
    }
}
