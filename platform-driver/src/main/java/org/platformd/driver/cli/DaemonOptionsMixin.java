// Options every command that talks to a running daemon shares: where it is, and JSON output.
package org.platformd.driver.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.platformd.driver.server.SocketPath;
import org.platformd.proto.v1.AdminServiceGrpc;
import picocli.CommandLine.Option;

/** Options every command that talks to a running daemon shares: where it is, and JSON output. */
public final class DaemonOptionsMixin {
    @Option(names = "--socket", paramLabel = "PATH",
            description = "The daemon's Unix socket (default: the daemon's default path for this user).")
    Path socket;

    @Option(names = "--json", description = "Print the daemon's answer as JSON (proto3 JSON mapping).")
    boolean json;

    Path socketPath() {
        return socket != null ? socket : SocketPath.defaultPath();
    }

    DaemonChannel connect() {
        return DaemonChannel.unix(socketPath());
    }

    /** One AdminService call on a fresh channel; a daemon error becomes a one-line failure. */
    <T> T admin(java.util.function.Function<AdminServiceGrpc.AdminServiceBlockingStub, T> call) {
        try (DaemonChannel ch = connect()) {
            return call.apply(AdminServiceGrpc.newBlockingStub(ch.channel()));
        } catch (StatusRuntimeException e) {
            throw failure(e);
        }
    }

    static String json(MessageOrBuilder m) {
        try {
            return JsonFormat.printer().print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A daemon error as a one-line usage-level failure (exit 2) naming the socket. */
    UsageException failure(StatusRuntimeException e) {
        Path socket = socketPath();
        if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE) {
            // gRPC only says "io exception" here; say what a person can act on.
            String why = !java.nio.file.Files.exists(socket) ? "no such socket (is platformd running? --socket PATH)"
                    : "nothing answers on this socket (platformd not running, or no permission to connect)";
            return new UsageException(socket + ": " + why);
        }
        return new UsageException(socket + ": " + e.getStatus().getCode() + ": "
                + (e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription()));
    }
}
