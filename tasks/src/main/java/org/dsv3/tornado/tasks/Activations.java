package org.dsv3.tornado.tasks;

import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.arch.YarnRope;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.tornado.kernels.Int8Round;
import org.dsv3.tornado.kernels.LatentAttention;
import org.dsv3.tornado.kernels.MatVec;
import org.dsv3.tornado.kernels.Routing;
import org.dsv3.tornado.kernels.Sampling;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * Every per-token buffer of the decode pass. They live on the device for the whole session: the
 * first graph allocates them, each later graph takes them over ({@code consumeFromDevice}) and
 * passes them on ({@code persistOnDevice}). Only {@link #step} goes up each token and only
 * {@link #argmax} (or, on request, {@link #logits}) comes down.
 */
final class Activations {
    /** {@code [token id, position]}, the one host-to-device transfer per token. */
    final IntArray step = DeviceWeights.intZeros(2);
    /** Residual stream h and {@code γ ⊙ h} for the normalisation that reads it next. */
    final FloatArray h;
    final FloatArray hg;
    /** Query {@code [H][d_qk]}, compressed KV {@code [c | k_pe]}, q-LoRA latent and its gained copy. */
    final FloatArray q;
    final FloatArray kv;
    final FloatArray cq;
    final FloatArray cqg;
    /** Absorbed queries {@code [H][c | k_pe width]} (see {@code LatentAttention.absorb}). */
    final FloatArray qabs;
    /** Per head and position slice: weighted latent sum, max score, sum of exponentials. */
    final FloatArray partial;
    /** The merged attention latents: of all heads, {@code [heads][rank]} ({@code merge}), or of each {@code mergeExpand} work-group. */
    final FloatArray olat;
    /** Attention heads' outputs {@code [H·d_v]}. */
    final FloatArray o;
    final FloatArray routerLogits;
    /** One routing slot per experts work-group (scores, chosen ids and weights; see {@code Routing}). */
    final FloatArray route;
    /** Routed experts' SwiGLU activations {@code [k][f_e]} and the shared (or dense) FFN's. */
    final FloatArray act;
    final FloatArray act2;
    /**
     * 8-bit blocks of 32 (int8 FFN path; quants four to a word, one scale a block): values {@code [0, dim)} are the
     * FFN input as the ffnIn launch rounds it for the routed experts ({@code NormMatVec.routerAndGateUp}), values
     * {@code [dim, dim + k·f_e)} the routed experts' SwiGLU activations as the experts launch rounds them for the
     * down products ({@code NormMatVec.expertsGateUp}).
     */
    final IntArray int8Quants;
    final FloatArray int8Scales;
    /** Partial sums of {@code h²} over the input those blocks were rounded from ({@code Int8Round.blocks}). */
    final FloatArray sumSquares;
    final FloatArray logits;
    final IntArray argmax = DeviceWeights.intZeros(1);
    /** The head's argmax per slice of the logits ({@code Sampling.argmaxParts}): largest value and its index. */
    final FloatArray argmaxBest = DeviceWeights.zeros(Sampling.PARTS);
    final IntArray argmaxAt = DeviceWeights.intZeros(Sampling.PARTS);
    /**
     * Stand-ins for kernel parameters a task does not use (a B matrix of 0 rows, an absent shared
     * expert), never read or written by the kernels: TornadoVM's graph scheduler hangs when one object
     * is passed to a task twice. Each graph has its own set, uploaded with the graph and never handed
     * on (a handed-on object must have been used in the graph that created it).
     */
    record Unused(FloatArray in, FloatArray out1, FloatArray out2, IntArray w1, IntArray w2) {
        static Unused create() {
            return new Unused(DeviceWeights.zeros(1), DeviceWeights.zeros(1), DeviceWeights.zeros(1),
                    DeviceWeights.intZeros(2), DeviceWeights.intZeros(2));
        }

        Object[] all() {
            return new Object[] {in, out1, out2, w1, w2};
        }
    }

    /** Per position {@code d_rope/2} cosines then sines (YaRN, from the model's {@link YarnRope}, as the CPU engine uses it). */
    final FloatArray rope;
    /** One latent cache per block, {@code maxContext} rows of {@code [c | k_pe]}, in {@link #kvType}. */
    final DeviceLatentCache[] cache;
    final KvCacheType kvType;
    final int splits;
    final int maxContext;
    private final boolean qLora;

    Activations(DeepSeekConfig c, int blocks, int maxContext, int splits, KvCacheType kvType) {
        this.maxContext = maxContext;
        this.kvType = kvType;
        this.splits = splits;
        this.qLora = c.hasQLora();
        int heads = c.headCount();
        int width = c.kvCacheWidth();
        h = DeviceWeights.zeros(c.dim());
        hg = DeviceWeights.zeros(c.dim());
        q = DeviceWeights.zeros(heads * c.qkHeadDim());
        kv = DeviceWeights.zeros(width);
        cq = DeviceWeights.zeros(Math.max(1, c.qLoraRank()));
        cqg = DeviceWeights.zeros(Math.max(1, c.qLoraRank()));
        qabs = DeviceWeights.zeros(heads * width);
        partial = DeviceWeights.zeros(heads * splits * (c.kvLoraRank() + 2));
        // the merged latents: one head's a row, or one a work-group of LatentAttention.mergeExpand
        olat = DeviceWeights.zeros(Math.max(heads, LatentAttention.mergeExpandGroups(heads, c.vHeadDim())) * c.kvLoraRank());
        o = DeviceWeights.zeros(heads * c.vHeadDim());
        routerLogits = DeviceWeights.zeros(Math.max(1, c.expertCount()));
        route = DeviceWeights.zeros(Math.max(1, MatVec.groups(c.expertUsedCount() * c.expertFfnDim())
                * Routing.slotSize(c.expertCount(), c.expertUsedCount(), c.groupCount())));
        act = DeviceWeights.zeros(Math.max(1, c.expertUsedCount() * c.expertFfnDim()));
        act2 = DeviceWeights.zeros(Math.max(1, Math.max(c.sharedFfnDim(), c.denseBlockCount() > 0 ? c.ffnDim() : 0)));
        int int8Values = c.dim() + c.expertUsedCount() * c.expertFfnDim();
        int8Quants = DeviceWeights.intZeros(Math.max(1, int8Values / 4));
        int8Scales = DeviceWeights.zeros(Math.max(1, int8Values / 32));
        sumSquares = DeviceWeights.zeros(Int8Round.groups(c.dim()));
        logits = DeviceWeights.zeros(c.vocabSize());
        rope = ropeTable(c, maxContext);
        cache = new DeviceLatentCache[blocks];
        for (int i = 0; i < blocks; i++) {
            cache[i] = DeviceLatentCache.allocate(kvType, maxContext, width);
        }
    }

    private static FloatArray ropeTable(DeepSeekConfig c, int positions) {
        YarnRope rope = YarnRope.of(c);
        int pairs = c.qkRopeDim() / 2;
        float[] cos = new float[pairs];
        float[] sin = new float[pairs];
        FloatArray t = new FloatArray(positions * 2 * pairs);
        for (int p = 0; p < positions; p++) {
            rope.angles(p, cos, sin);
            for (int i = 0; i < pairs; i++) {
                t.set(p * 2 * pairs + i, cos[i]);
                t.set(p * 2 * pairs + pairs + i, sin[i]);
            }
        }
        return t;
    }

    /**
     * The buffers every graph shares (handed from graph to graph). Each must be used by a task of the
     * first graph (the first block's): TornadoVM allocates nothing for an object no task touches, and a
     * later graph that consumes such an object fails.
     */
    Object[] shared() {
        List<Object> l = new ArrayList<>(List.of(step, h, hg, q, kv, qabs, partial, olat, o, routerLogits, route,
                act, act2, int8Quants, int8Scales, sumSquares, rope));
        if (qLora) {
            l.add(cq);
            l.add(cqg);
        }
        return l.toArray();
    }
}
