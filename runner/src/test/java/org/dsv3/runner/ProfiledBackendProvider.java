package org.dsv3.runner;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.Backends;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.backend.StepProfile;
import org.dsv3.model.backend.StepProfiler;
import org.dsv3.model.config.CheckedModel;
import org.dsv3.model.config.DeepSeekConfig;

/**
 * A test device with a fake profiler ({@code --device profiled}, or {@code profiled:blind} for one whose profiler
 * sees no kernels, as with CUDA graphs): the CPU engine computes, the profiler says every token took
 * {@link #KERNEL_NS} of kernel time and read {@link #WEIGHT_BYTES}. It checks that the profiled work decoded the
 * tokens it was told, one-token forward steps on one session.
 */
public final class ProfiledBackendProvider implements BackendProvider {
    static final double KERNEL_NS = 250_000;
    static final long WEIGHT_BYTES = 1_000_000_000L;

    @Override
    public String name() {
        return "profiled";
    }

    @Override
    public InferenceBackend load(CheckedModel model, BackendOptions options) {
        InferenceBackend cpu = Backends.provider("cpu").load(model, new BackendOptions(options.threads()));
        boolean blind = options.device().equals("blind");
        AtomicInteger oneTokenSteps = new AtomicInteger();
        StepProfiler profiler = (tokens, decode) -> {
            int before = oneTokenSteps.get();
            long t0 = System.nanoTime();
            decode.run();
            double wall = (System.nanoTime() - t0) / (double) tokens;
            int ran = oneTokenSteps.get() - before;
            if (ran != tokens) {
                throw new IllegalArgumentException("profiled " + ran + " one-token steps, told " + tokens);
            }
            return new StepProfile(tokens, blind ? Double.NaN : KERNEL_NS, wall, WEIGHT_BYTES);
        };
        return new InferenceBackend() {
            @Override
            public DeepSeekConfig config() {
                return cpu.config();
            }

            @Override
            public String device() {
                return "profiled (" + cpu.device() + ")";
            }

            @Override
            public InferenceSession newSession(SessionOptions o) {
                InferenceSession s = cpu.newSession(o);
                return new InferenceSession() {
                    @Override
                    public int position() {
                        return s.position();
                    }

                    @Override
                    public int maxContext() {
                        return s.maxContext();
                    }

                    @Override
                    public float[] forward(int[] tokens, Logits which) {
                        if (tokens.length == 1) {
                            oneTokenSteps.incrementAndGet();
                        }
                        return s.forward(tokens, which);
                    }

                    @Override
                    public void reset() {
                        s.reset();
                    }

                    @Override
                    public void truncate(int position) {
                        s.truncate(position);
                    }

                    @Override
                    public void close() {
                        s.close();
                    }
                };
            }

            @Override
            public Optional<StepProfiler> profiler() {
                return Optional.of(profiler);
            }

            @Override
            public void close() {
                cpu.close();
            }
        };
    }
}
