// PEM files for mutual TLS to a remote daemon.
package org.platformd.client;

import java.nio.file.Path;
import java.util.Objects;

/**
 * PEM files for mutual TLS to a remote daemon: this client's certificate chain and private key
 * (the certificate's CN is the session label the daemon accepts), and the CA that signed the
 * daemon's certificate.
 */
public record TlsFiles(Path certificateChain, Path privateKey, Path trustedCa) {
    /** All three are required. */
    public TlsFiles {
        Objects.requireNonNull(certificateChain, "certificateChain");
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(trustedCa, "trustedCa");
    }
}
