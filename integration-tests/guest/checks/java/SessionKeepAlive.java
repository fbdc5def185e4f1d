import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import org.platformd.proto.v1.PlatformServiceGrpc;
import org.platformd.proto.v1.WatchSessionRequest;
import org.platformd.proto.v1.WatchSessionResponse;

/**
 * The checks' RPC clients keep their sessions alive with an open watch stream (the daemon ends a session
 * whose last stream is gone once its lease runs out): in a slow TCG guest a lease alone ran out mid-check,
 * and a killed client's session still ends within seconds.
 */
final class SessionKeepAlive {
    private SessionKeepAlive() {
    }

    /** Opens a watch stream on {@code session}, ignoring its events; it lives as long as the channel. */
    static void watch(Channel channel, String session) {
        PlatformServiceGrpc.newStub(channel).watchSession(WatchSessionRequest.newBuilder().setSessionId(session).build(),
                new StreamObserver<WatchSessionResponse>() {
                    @Override
                    public void onNext(WatchSessionResponse r) {
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
    }
}
