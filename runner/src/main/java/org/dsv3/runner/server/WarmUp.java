package org.dsv3.runner.server;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.dsv3.runner.generate.CachedSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's first forward step, run once the server listens and before it takes requests: one
 * token (the BOS) on the first slot's session, which is then reset. It brings the weights into memory
 * and compiles the hot code (and, on a GPU, the kernels), so the first user does not pay for it and
 * {@code /health} says ok only when a request can be served at full speed. A failure is logged and the
 * server serves anyway (each request then reports its own error).
 */
final class WarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);

    private final CountDownLatch done = new CountDownLatch(1);

    /** Starts the forward step on a thread of its own. */
    void start(CachedSession session, int token) {
        Thread t = new Thread(() -> run(session, token), "dsv3-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private void run(CachedSession session, int token) {
        long start = System.nanoTime();
        try {
            session.forward(new int[] {token});
            session.reset();
            LOG.info("model warmed up in {} ms", (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warn("warm-up failed, serving anyway: {}", e.toString());
            session.reset();
        } finally {
            done.countDown();
        }
    }

    boolean warm() {
        return done.getCount() == 0;
    }

    /** Waits until the warm-up has run; whether it did in time. */
    boolean await(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }
}
