package org.dsv3.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A persistent pool of compute threads for data-parallel loops. Decode runs hundreds of small
 * matrix-vector products per token, so dispatch must be cheap: the threads stay alive, spin briefly
 * for the next loop and only then park; the calling thread takes part in the work.
 *
 * <p>Every wait spins for a bounded time only ({@link #IDLE_SPIN_NS} for a worker between loops,
 * {@link #END_SPIN_NS} for the caller at a loop's end) and then parks. A waiter that spins on
 * looks busy to the scheduler: when another thread of the machine (the JIT, the GC, another process)
 * has taken the core of the participant being waited for, that participant then waits in its core's
 * run queue while the waiter's core stays "busy" spinning. A parked waiter frees its core, so the
 * scheduler can run the held-up participant there at once.
 *
 * <p>A loop {@code [0, n)} is cut into chunks ({@link #CHUNKS_PER_THREAD} per participant at most)
 * that the participants claim from one atomic counter, so a faster thread takes more of them and a
 * descheduled one holds up at most the chunk it has.
 * The counter carries the loop's generation in its upper half, so a thread still finishing an old
 * loop can never claim a chunk of the next one. A loop started from inside a running loop (or while
 * another thread holds the pool) runs on the calling thread alone.
 */
public final class WorkerPool implements AutoCloseable {

    /** The body of a parallel loop: handles indices {@code [from, to)}; {@code worker} is in {@code [0, size())}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to, int worker);
    }

    /** How long a worker spins for the next loop before it parks (the caller's serial work between loops is shorter). */
    private static final long IDLE_SPIN_NS = 200_000;
    /** How long the caller spins at a loop's end for the others' last chunks before it parks. */
    private static final long END_SPIN_NS = 50_000;
    /** Spins between two reads of the clock. */
    private static final int SPINS_PER_CLOCK = 64;
    /**
     * Chunks a loop is cut into per participant, at most. A chunk is claimed whole, so a worker
     * descheduled in the middle of one (another process wanting the core) holds up the loop's end
     * by what is left of it: with 16 chunks a thread that is at most 1/16 of the loop, where 4
     * chunks a thread left the other participants waiting for up to a quarter of it. Claims cost one
     * compare-and-set each, against a chunk of ~20 V2-Lite rows (~40 KB of weights) at the least.
     */
    private static final int CHUNKS_PER_THREAD = 16;
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    /** One loop; {@code callerParked} is set by the caller before it parks at the loop's end. */
    private static final class Job {
        final RangeTask task;
        final int n;
        final int chunks;
        final int generation;
        final Thread caller = Thread.currentThread();
        final AtomicInteger remaining;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean callerParked;

        Job(RangeTask task, int n, int chunks, int generation) {
            this.task = task;
            this.n = n;
            this.chunks = chunks;
            this.generation = generation;
            this.remaining = new AtomicInteger(chunks);
        }

        /**
         * Marks one chunk done; the last one wakes the caller if it parked. The caller sets
         * {@code callerParked} before its last look at {@code remaining}, and this reads it after the
         * decrement: of the two, at least one sees the other's write, so no wake-up is lost.
         */
        void chunkDone() {
            if (remaining.decrementAndGet() == 0 && callerParked) {
                LockSupport.unpark(caller);
            }
        }

        /** The caller's wait for every chunk: spins up to {@link #END_SPIN_NS}, then parks. */
        void awaitChunks() {
            long deadline = 0;
            int spins = 0;
            while (remaining.get() > 0) {
                if (++spins % SPINS_PER_CLOCK != 0) {
                    Thread.onSpinWait();
                    continue;
                }
                long now = System.nanoTime();
                if (deadline == 0) {
                    deadline = now + END_SPIN_NS;
                } else if (now - deadline > 0) {
                    callerParked = true;
                    while (remaining.get() > 0) {
                        LockSupport.park(this);
                    }
                    return;
                }
            }
        }
    }

    private final int size;
    private final Worker[] workers;
    private final ReentrantLock lock = new ReentrantLock();
    /** Upper 32 bits: generation of the current job; lower 32 bits: next chunk to claim. */
    private final AtomicLong claim = new AtomicLong();
    private volatile Job job;
    private volatile boolean closed;
    private int generation;

    /** A pool of {@code threads} participants: the caller plus {@code threads - 1} daemon threads. */
    public WorkerPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        this.size = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** Number of participants (worker ids are {@code 0 … size()-1}). */
    public int size() {
        return size;
    }

    /** Runs {@code task} over {@code [0, n)}, split into chunks of at least {@code minChunk} indices. */
    public void parallelFor(int n, int minChunk, RangeTask task) {
        if (n <= 0) {
            return;
        }
        int chunks = Math.min(Math.max(1, n / Math.max(1, minChunk)), size * CHUNKS_PER_THREAD);
        if (size == 1 || chunks == 1 || INSIDE.get() || closed || !lock.tryLock()) {
            runInline(task, n);
            return;
        }
        try {
            Job j = new Job(task, n, chunks, ++generation);
            claim.set((long) j.generation << 32);
            job = j;
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w);
                }
            }
            participate(j, 0);
            j.awaitChunks();
            Throwable t = j.failure.get();
            if (t != null) {
                if (t instanceof RuntimeException re) {
                    throw re;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw new RuntimeException(t);
            }
        } finally {
            lock.unlock();
        }
    }

    /** {@link #parallelFor(int, int, RangeTask)} with chunks of at least one index. */
    public void parallelFor(int n, RangeTask task) {
        parallelFor(n, 1, task);
    }

    private static void runInline(RangeTask task, int n) {
        boolean was = INSIDE.get();
        INSIDE.set(true);
        try {
            task.run(0, n, 0);
        } finally {
            INSIDE.set(was);
        }
    }

    private void participate(Job j, int worker) {
        INSIDE.set(true);
        try {
            while (true) {
                long c = claim.get();
                int chunk = (int) c;
                if ((int) (c >>> 32) != j.generation || chunk >= j.chunks) {
                    return;
                }
                if (!claim.compareAndSet(c, c + 1)) {
                    continue;
                }
                try {
                    int from = (int) ((long) chunk * j.n / j.chunks);
                    int to = (int) ((long) (chunk + 1) * j.n / j.chunks);
                    j.task.run(from, to, worker);
                } catch (Throwable t) {
                    j.failure.compareAndSet(null, t);
                } finally {
                    j.chunkDone();
                }
            }
        } finally {
            INSIDE.set(false);
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w);
        }
    }

    private final class Worker extends Thread {
        private final int id;
        volatile boolean parked;

        Worker(int id) {
            super("dsv3-cpu-" + id);
            this.id = id;
            setDaemon(true);
        }

        @Override
        public void run() {
            Job last = null;
            while (!closed) {
                Job j = job;
                long deadline = 0;
                int spins = 0;
                while (j == last && !closed) {
                    if (++spins % SPINS_PER_CLOCK != 0) {
                        Thread.onSpinWait();
                    } else if (deadline == 0) {
                        deadline = System.nanoTime() + IDLE_SPIN_NS;
                    } else if (System.nanoTime() - deadline > 0) {
                        // parked is set before the last look at job, parallelFor reads it after publishing one
                        parked = true;
                        if (job == last && !closed) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        deadline = 0;
                    }
                    j = job;
                }
                if (closed) {
                    return;
                }
                last = j;
                participate(j, id);
            }
        }
    }
}
