package org.dsv3.model.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.dsv3.model.ReferenceFiles;
import org.dsv3.model.TestData;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.gguf.GgufModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The contract of {@link InferenceBackend} and {@link InferenceSession}, the same for every backend: a
 * backend's module runs it by naming its device in a subclass. Checked on {@code tiny-v3} against the
 * reference logits of the test data (produced outside the project), with the bounds of the reference
 * logits tests: F32 cache 1e-4, F16 1e-2, BF16 8e-2.
 *
 * <p>What it holds every backend to: the context rule of {@link SessionOptions#contextLength}; the
 * cache types of {@link InferenceBackend#kvCacheTypes()} work and the others are refused; overflow,
 * empty input and ids outside the vocabulary are refused without moving the position; truncate and
 * reset replay the reference logits; {@code forwardArgmax} agrees with {@code forward}; a closed
 * session frees its place for the next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
public abstract class BackendConformance {
    private static final String MODEL = "models/tiny-v3.bf16.gguf";
    private static final String CASES = "reference/tiny-v3.cases.json";
    private static final String LOGITS = "reference/tiny-v3.case0.logits.f32";

    private GgufModel file;
    private InferenceBackend backend;
    private DeepSeekConfig config;
    private int[] tokens;
    private float[] expected;
    private int vocab;

    /** The device the backend runs on, as {@code --device} names it. */
    protected abstract String device();

    /**
     * The device detail ({@code cpu:DETAIL}) that gives the backend's exact products, which the
     * contract's reference bounds are for; empty for the backend's default.
     */
    protected String exactDetail() {
        return "";
    }

    @BeforeAll
    void load() {
        file = GgufModel.open(TestData.require(MODEL));
        config = DeepSeekConfig.fromGguf(file, GroupRouting.AUTO);
        backend = Backends.provider(device()).load(file, config, new BackendOptions(0, exactDetail()));
        tokens = ReferenceFiles.tokens(CASES, 0);
        expected = ReferenceFiles.floats(TestData.require(LOGITS));
        vocab = config.vocabSize();
    }

    @AfterAll
    void close() {
        if (backend != null) {
            backend.close();
        }
        if (file != null) {
            file.close();
        }
    }

    // First: the largest context, so that a backend that sizes its buffers per context builds them once.
    @Test
    @Order(1)
    void contextLengthFollowsTheSessionOptionsRule() {
        int model = config.contextLength();
        assertContext(new SessionOptions(KvCacheType.F32, 0), model);
        assertContext(new SessionOptions(KvCacheType.F32, model + 1000), model);
        assertContext(new SessionOptions(KvCacheType.F32, 64), 64);
        assertContext(SessionOptions.defaults(), Math.min(SessionOptions.DEFAULT_CONTEXT, model));
    }

    private void assertContext(SessionOptions o, int want) {
        assertEquals(want, o.contextLength(config));
        try (InferenceSession s = backend.newSession(o)) {
            assertEquals(want, s.maxContext(), "maxContext " + o.maxContext());
            assertEquals(0, s.position());
        }
    }

    @Test
    void oneCallTruncateAndResetGiveTheReferenceLogits() {
        int n = tokens.length;
        try (InferenceSession s = backend.newSession(SessionOptions.defaults())) {
            assertClose(rows(0, n), s.forward(tokens, Logits.ALL_POSITIONS), 1e-4f, "all positions");
            assertEquals(n, s.position());

            int keep = n / 2;
            s.truncate(keep);
            assertEquals(keep, s.position());
            assertClose(rows(keep, n), s.forward(Arrays.copyOfRange(tokens, keep, n), Logits.ALL_POSITIONS), 1e-4f,
                    "after truncate(" + keep + ")");

            s.reset();
            assertEquals(0, s.position());
            assertClose(rows(2, 3), s.forward(Arrays.copyOf(tokens, 3), Logits.LAST_POSITION), 1e-4f, "after reset");
            assertEquals(3, s.position());
        }
    }

    @Test
    void forwardArgmaxIsTheLargestLogitOfForward() {
        int n = Math.min(tokens.length, 6);
        float[] last;
        int id;
        try (InferenceSession s = backend.newSession(SessionOptions.defaults())) {
            last = s.forward(Arrays.copyOf(tokens, n), Logits.LAST_POSITION);
            s.reset();
            id = s.forwardArgmax(Arrays.copyOf(tokens, n));
            assertEquals(n, s.position());
        }
        int best = 0;
        for (int i = 1; i < last.length; i++) {
            if (last[i] > last[best]) {
                best = i;
            }
        }
        assertEquals(best, id);
    }

    @Test
    void whatCannotRunIsRefusedWithoutMovingThePosition() {
        try (InferenceSession s = backend.newSession(new SessionOptions(KvCacheType.F32, 4))) {
            s.forward(Arrays.copyOf(tokens, 3), Logits.LAST_POSITION);
            assertThrows(IllegalArgumentException.class, () -> s.forward(Arrays.copyOf(tokens, 2), Logits.LAST_POSITION));
            assertEquals(3, s.position());
            assertThrows(IllegalArgumentException.class, () -> s.forward(new int[0], Logits.LAST_POSITION));
            assertThrows(IllegalArgumentException.class, () -> s.forward(new int[] {-1}, Logits.LAST_POSITION));
            assertThrows(IllegalArgumentException.class, () -> s.forwardArgmax(new int[] {vocab}));
            assertEquals(3, s.position());
            assertThrows(IllegalArgumentException.class, () -> s.truncate(4));
            assertThrows(IllegalArgumentException.class, () -> s.truncate(-1));
            assertClose(rows(3, 4), s.forward(new int[] {tokens[3]}, Logits.LAST_POSITION), 1e-4f, "the last position");
            assertEquals(4, s.position());
            assertThrows(IllegalArgumentException.class, () -> s.forward(new int[] {tokens[4]}, Logits.LAST_POSITION));
        }
    }

    @Test
    void listedCacheTypesWorkAndTheOthersAreRefused() {
        int n = Math.min(tokens.length, 8);
        for (KvCacheType kv : KvCacheType.values()) {
            SessionOptions o = SessionOptions.defaults().withKvCacheType(kv);
            if (backend.kvCacheTypes().contains(kv)) {
                float bound = switch (kv) {
                    case F32 -> 1e-4f;
                    case F16 -> 1e-2f;
                    case BF16 -> 8e-2f;
                };
                try (InferenceSession s = backend.newSession(o)) {
                    assertClose(rows(0, n), s.forward(Arrays.copyOf(tokens, n), Logits.ALL_POSITIONS), bound, kv + " cache");
                }
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> backend.newSession(o));
                assertTrue(e.getMessage().contains(kv.name().toLowerCase(java.util.Locale.ROOT)), e.getMessage());
            }
        }
        assertTrue(backend.kvCacheTypes().contains(KvCacheType.F32), "every backend keeps an F32 cache");
    }

    @Test
    void aClosedSessionMakesRoomForTheNext() {
        for (int i = 0; i < 3; i++) {
            InferenceSession s = backend.newSession(SessionOptions.defaults());
            s.forward(new int[] {tokens[0]}, Logits.LAST_POSITION);
            s.close();
            s.close(); // closing twice is harmless
        }
        try (InferenceSession s = backend.newSession(SessionOptions.defaults())) {
            assertClose(rows(0, 1), s.forward(new int[] {tokens[0]}, Logits.LAST_POSITION), 1e-4f, "a fresh session");
        }
    }

    /** Reference logits of positions {@code from … to-1}. */
    private float[] rows(int from, int to) {
        return Arrays.copyOfRange(expected, from * vocab, to * vocab);
    }

    private static void assertClose(float[] want, float[] got, float bound, String what) {
        assertEquals(want.length, got.length, what + ": length");
        float max = 0f;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i] - got[i]));
        }
        assertTrue(max <= bound, what + ": max |diff| " + max + " > " + bound);
    }
}
