package org.dsv3.runner.server;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.dsv3.runner.generate.GenerationStats;

/** Totals since the server started: tokens processed and generated, requests answered (overall and per slot). */
final class ServerMetrics {
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLongArray perSlot;

    ServerMetrics(int slots) {
        perSlot = new AtomicLongArray(slots);
    }

    /** One generation finished on {@code slot} (answered or cancelled: its tokens were computed either way). */
    void finished(Slot slot, GenerationStats stats) {
        promptTokens.addAndGet(stats.promptTokens());
        generatedTokens.addAndGet(stats.generatedTokens());
        requests.incrementAndGet();
        perSlot.incrementAndGet(slot.id());
    }

    long promptTokens() {
        return promptTokens.get();
    }

    long generatedTokens() {
        return generatedTokens.get();
    }

    long requests() {
        return requests.get();
    }

    long requests(Slot slot) {
        return perSlot.get(slot.id());
    }
}
