package org.dsv3.cpu;

import java.lang.foreign.Arena;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.config.CheckedModel;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.gguf.GgufTensor;

/** The model on the CPU: weights in place in the memory map, one persistent thread pool. */
public final class CpuBackend implements InferenceBackend {
    private final DeepSeekConfig config;
    private final WorkerPool pool;
    private final Arena arena;
    private final DeepSeekTransformer model;
    private final DotMode mode;

    /** Exact products ({@link DotMode#EXACT}). */
    public CpuBackend(CheckedModel checked, int threads) {
        this(checked, threads, DotMode.EXACT);
    }

    public CpuBackend(CheckedModel checked, int threads, DotMode mode) {
        this.config = checked.config();
        this.mode = mode;
        this.pool = new WorkerPool(threads);
        this.arena = Arena.ofShared();
        try {
            this.model = CpuModelLoader.load(checked, new MatMul(pool, mode), arena);
            PageAdvice.hugePages(checked.file().tensors().values().stream().map(GgufTensor::data).toList());
        } catch (RuntimeException e) {
            pool.close();
            arena.close();
            throw e;
        }
    }

    @Override
    public DeepSeekConfig config() {
        return config;
    }

    @Override
    public String device() {
        return "cpu (" + pool.size() + " threads" + (mode == DotMode.EXACT ? ", exact" : "") + ")";
    }

    @Override
    public InferenceSession newSession(SessionOptions options) {
        options.requireKvCacheType(this);
        int max = options.contextLength(config);
        LatentKvCache cache = new LatentKvCache(options.kvCacheType(), model.blockCount(), config.kvCacheWidth(), max);
        return new CpuSession(model, cache);
    }

    @Override
    public void close() {
        pool.close();
        arena.close();
    }
}
