package org.dsv3.runner.server;

import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.Callback;

/**
 * Notices a client that closes its connection while it waits for a whole (non-streamed) answer.
 * Nothing is written to such a client until the answer is ready, so a closed connection would go
 * unseen; instead the connection is watched for input: a client waiting for its answer sends
 * nothing, so input (in practice the end of the stream) means it went away. The answer then goes
 * out with {@code Connection: close}, since the watch holds the connection's read interest.
 */
final class ClientWatch implements AutoCloseable {
    private final AtomicBoolean done = new AtomicBoolean();

    private ClientWatch() {
    }

    /** Runs {@code onClose} (on a Jetty thread) if the client's connection closes before {@link #close()}. */
    static ClientWatch start(HttpServletRequest req, Runnable onClose) {
        ClientWatch w = new ClientWatch();
        ServletContextRequest r = ServletContextRequest.getServletContextRequest(req);
        if (r == null) {
            return w;
        }
        EndPoint ep = r.getConnectionMetaData().getConnection().getEndPoint();
        Runnable fire = () -> {
            if (w.done.compareAndSet(false, true)) {
                onClose.run();
            }
        };
        ep.tryFillInterested(Callback.from(fire, failure -> fire.run()));
        return w;
    }

    /** The answer is complete: a later close is no longer the client's leaving. */
    @Override
    public void close() {
        done.set(true);
    }
}
