package org.dsv3.runner.server;

import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Hands out slots to requests first come, first served. A request that finds every slot taken
 * waits in a queue of limited length; when the queue is full it is refused at once (429). A freed
 * slot goes straight to the oldest waiting request.
 */
final class SlotPool {
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private final ArrayDeque<Ticket> waiting = new ArrayDeque<>();
    private final List<Slot> all;
    private final int queueLimit;

    SlotPool(List<Slot> slots, int queueLimit) {
        if (slots.isEmpty()) {
            throw new IllegalArgumentException("at least one slot is needed");
        }
        if (queueLimit < 0) {
            throw new IllegalArgumentException("queue limit must be >= 0, got " + queueLimit);
        }
        free.addAll(slots);
        this.all = List.copyOf(slots);
        this.queueLimit = queueLimit;
    }

    /** A place in line: granted at once when a slot is free and nobody waits. */
    synchronized Ticket admit() {
        Ticket t = new Ticket();
        if (waiting.isEmpty() && !free.isEmpty()) {
            t.future.complete(free.poll());
            return t;
        }
        if (waiting.size() >= queueLimit) {
            throw ApiError.busy(waiting.size());
        }
        waiting.add(t);
        return t;
    }

    /** Gives a slot back: to the oldest waiting request, or to the free list. */
    synchronized void release(Slot slot) {
        Ticket next = waiting.poll();
        if (next != null) {
            next.future.complete(slot);
        } else {
            free.add(slot);
        }
    }

    synchronized int idle() {
        return free.size();
    }

    synchronized int queued() {
        return waiting.size();
    }

    int size() {
        return all.size();
    }

    /** Every slot, in id order. */
    List<Slot> slots() {
        return all;
    }

    /** Whether {@code slot} is serving a request now. */
    synchronized boolean busy(Slot slot) {
        return !free.contains(slot);
    }

    /** A request's claim on a slot. */
    final class Ticket {
        private final CompletableFuture<Slot> future = new CompletableFuture<>();

        /** The slot, or {@code null} when none came within the time given. */
        Slot await(long timeout, TimeUnit unit) throws InterruptedException {
            try {
                return future.get(timeout, unit);
            } catch (TimeoutException e) {
                return null;
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
        }

        /** Leaves the line (the client went away); a slot granted in the meantime is passed on. */
        void abandon() {
            synchronized (SlotPool.this) {
                if (!waiting.remove(this) && future.isDone()) {
                    release(future.join());
                }
            }
        }
    }
}
