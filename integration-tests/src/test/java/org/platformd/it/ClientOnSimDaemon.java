package org.platformd.it;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.platformd.client.PlatformClient;
import org.platformd.driver.admin.PolicyManager;

/**
 * The fixture of the client library's end-to-end tests: for each test a fresh daemon on the emulated
 * machine with the shipped policy ({@link DaemonUnderTest}), and one {@link PlatformClient} on its
 * Unix socket, closed before the daemon.
 */
abstract class ClientOnSimDaemon {
    @TempDir
    Path dir;

    DaemonUnderTest d;
    PlatformClient client;

    @BeforeEach
    void startDaemonAndClient() throws Exception {
        d = DaemonUnderTest.onSim(dir, PolicyManager.shippedText());
        client = PlatformClient.connect(d.socket);
    }

    @AfterEach
    void stopClientAndDaemon() {
        client.close();
        d.close();
    }
}
