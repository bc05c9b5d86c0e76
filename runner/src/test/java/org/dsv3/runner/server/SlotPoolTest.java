package org.dsv3.runner.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SlotPoolTest {
    static final Slot A = new Slot(0, null, null);
    static final Slot B = new Slot(1, null, null);

    @Test
    void freeSlotsAreGrantedAtOnceThenRequestsQueueUpToTheLimit() throws Exception {
        SlotPool pool = new SlotPool(List.of(A, B), 2);
        assertSame(A, pool.admit().await(0, TimeUnit.MILLISECONDS));
        assertSame(B, pool.admit().await(0, TimeUnit.MILLISECONDS));
        SlotPool.Ticket first = pool.admit();
        SlotPool.Ticket second = pool.admit();
        assertEquals(2, pool.queued());
        ApiError busy = assertThrows(ApiError.class, pool::admit);
        assertEquals(429, busy.status());
        assertNull(first.await(10, TimeUnit.MILLISECONDS));

        pool.release(B);
        assertSame(B, first.await(1, TimeUnit.SECONDS), "the oldest waiting request gets the freed slot");
        assertNull(second.await(10, TimeUnit.MILLISECONDS));
        pool.release(A);
        assertSame(A, second.await(1, TimeUnit.SECONDS));
        assertEquals(0, pool.queued());
        assertEquals(0, pool.idle());
    }

    @Test
    void aRequestThatLeavesTheQueueGivesItsPlaceToTheNext() throws Exception {
        SlotPool pool = new SlotPool(List.of(A), 3);
        pool.admit().await(0, TimeUnit.MILLISECONDS);
        SlotPool.Ticket gone = pool.admit();
        SlotPool.Ticket next = pool.admit();
        gone.abandon();
        assertEquals(1, pool.queued());
        pool.release(A);
        assertSame(A, next.await(1, TimeUnit.SECONDS));
    }

    @Test
    void aSlotGrantedToARequestThatLeftIsPassedOn() throws Exception {
        SlotPool pool = new SlotPool(List.of(A), 3);
        pool.admit().await(0, TimeUnit.MILLISECONDS);
        SlotPool.Ticket gone = pool.admit();
        pool.release(A); // granted to `gone`, which never picks it up
        gone.abandon();
        assertEquals(1, pool.idle());
        assertSame(A, pool.admit().await(0, TimeUnit.MILLISECONDS));
    }

    @Test
    void aQueueOfZeroRefusesAsSoonAsTheSlotsAreTaken() {
        SlotPool pool = new SlotPool(List.of(A), 0);
        pool.admit();
        assertEquals(429, assertThrows(ApiError.class, pool::admit).status());
    }
}
