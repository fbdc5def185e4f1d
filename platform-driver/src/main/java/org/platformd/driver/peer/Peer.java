// Who is on the other end of a call, as far as the transport can prove it.
package org.platformd.driver.peer;

import java.util.Optional;

/**
 * Who is on the other end of a call, as far as the transport can prove it: Unix peer
 * credentials on the Unix socket, the client certificate's common name on mutual-TLS TCP,
 * nothing but an address on the insecure development listener.
 *
 * <p>{@link #identity()} is what a session is bound to: a session opened by one peer is
 * refused to every other. On the Unix socket that is pid and uid (another process of the
 * same user is another peer), on TLS the certificate subject.
 *
 * <p>A plain value the domain takes; the protocol layer keeps the call's peer in its context
 * ({@code server/PeerContext}).
 *
 * @param transport     {@code unix}, {@code tls} or {@code insecure-tcp}
 * @param credentials   SO_PEERCRED credentials (Unix socket only), else null
 * @param tlsCommonName the client certificate's CN (TLS only), else null
 * @param address       the remote address as text, for logs and the admin view
 * @param tlsAdmin      the client certificate is one of the configured admin certificates
 */
public record Peer(String transport, PeerCredentials credentials, String tlsCommonName, String address,
        boolean tlsAdmin) {

    public static Peer unix(PeerCredentials credentials) {
        return new Peer("unix", credentials, null, "unix pid " + credentials.pid(), false);
    }

    public static Peer tls(String commonName, String address, boolean admin) {
        return new Peer("tls", null, commonName, address, admin);
    }

    public static Peer insecureTcp(String address) {
        return new Peer("insecure-tcp", null, null, address, false);
    }

    public Optional<PeerCredentials> unixCredentials() {
        return Optional.ofNullable(credentials);
    }

    /** The identity sessions are bound to (see the class comment). */
    public String identity() {
        return switch (transport) {
            case "unix" -> "unix:pid=" + credentials.pid() + ",uid=" + credentials.uid();
            case "tls" -> "tls:" + tlsCommonName;
            default -> "tcp:" + address;
        };
    }

    /**
     * Who per-peer limits ({@code <peer-limits>}) count against: the Unix user (every process of one uid
     * together — another pid of the same user is the same principal), the TLS certificate CN, or the
     * plaintext-TCP host (its ports together).
     */
    public String principal() {
        return switch (transport) {
            case "unix" -> "uid " + credentials.uid();
            case "tls" -> "TLS client CN=" + tlsCommonName;
            default -> "TCP host " + host(address);
        };
    }

    private static String host(String address) {
        String a = address.startsWith("/") ? address.substring(1) : address;
        int colon = a.lastIndexOf(':');
        return colon > 0 ? a.substring(0, colon) : a;
    }

    @Override
    public String toString() {
        return switch (transport) {
            case "unix" -> "unix peer " + credentials;
            case "tls" -> "TLS peer CN=" + tlsCommonName + " at " + address + (tlsAdmin ? " (admin)" : "");
            default -> "insecure TCP peer at " + address;
        };
    }
}
