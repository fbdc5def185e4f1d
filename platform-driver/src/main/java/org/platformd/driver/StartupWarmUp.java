// Class initialisation the daemon will need before it is ready, run on a second thread while the first reads its input.
package org.platformd.driver;

import org.slf4j.LoggerFactory;

/**
 * Class initialisation the daemon will need before it is ready, run on a second thread while the main thread
 * sets up logging, parses flags, reads the policy and builds the machine. The pieces here dominate the time to
 * ready and depend on none of that input: jnr-ffi binding libc (~0.15 s of one core; the emulated machine's
 * memory needs it first), the protobuf descriptors of the contract with their documentation (what the services
 * are bound with), the PCI ID database (device names), Netty's native epoll transport, and jnr-unixsocket
 * binding its own libc (the fd socket). Started first, before even the logger, they overlap the main thread's
 * work on the second core, in the order the main thread needs them; whichever thread reaches a class first
 * initialises it and the other waits (the JVM's class initialisation lock), so nothing runs twice and nothing
 * changes but when.
 *
 * <p>A failure here is not the daemon's: the same initialisation fails again, with its own error, where the
 * daemon really uses the class. It is logged at debug level only.
 */
final class StartupWarmUp {
    private StartupWarmUp() {
    }

    /** Starts the warm-up thread (a daemon thread: it never holds the JVM up). */
    static void start() {
        Thread t = new Thread(StartupWarmUp::run, "platformd-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private static void run() {
        try {
            Class.forName("org.platformd.fd.Native"); // libc through jnr-ffi
            org.platformd.proto.v1.ContractDescriptors.files();
            org.platformd.proto.v1.PlatformServiceGrpc.getServiceDescriptor();
            org.platformd.proto.v1.AdminServiceGrpc.getServiceDescriptor();
            org.platformd.pci.names.PciIds.system();
            io.netty.channel.epoll.Epoll.ensureAvailability();
            Class.forName("jnr.unixsocket.Native"); // jnr-unixsocket's own libc binding
        } catch (ClassNotFoundException | RuntimeException | LinkageError e) {
            LoggerFactory.getLogger(StartupWarmUp.class).debug("start-up warm-up: {} (the daemon meets it again where"
                    + " it uses the class)", e.toString());
        }
    }
}
