package org.dsv3.tornado.tasks;

import org.dsv3.tornado.kernels.NormMatVec;
import org.dsv3.tornado.kernels.NormMatVecDp4a;
import org.dsv3.tornado.kernels.Residual;
import org.dsv3.tornado.kernels.ResidualDp4a;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task19;
import uk.ac.manchester.tornado.api.common.TornadoFunctions.Task20;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;

/**
 * The decode FFN kernels, chosen once per plan: {@link NormMatVec} and {@link Residual} as written (8-bit dots as
 * byte products), or their generated twins whose 8-bit dots are PTX's {@code dp4a} ({@code NormMatVecDp4a},
 * {@code ResidualDp4a}; see {@code Int8Dot}). Same parameters, so the graphs declare each task once.
 */
record FfnKernels(
        Task19<KernelContext, FloatArray, FloatArray, Float, Integer, IntArray, Integer, Integer, FloatArray,
                IntArray, Integer, IntArray, Integer, Integer, FloatArray, Integer, Integer, IntArray, FloatArray> routerAndGateUp,
        Task20<KernelContext, FloatArray, FloatArray, Float, Integer, FloatArray, FloatArray, FloatArray, IntArray,
                IntArray, Integer, Integer, Integer, FloatArray, Integer, Integer, Integer, Float, IntArray, FloatArray> expertsGateUp,
        Task19<KernelContext, FloatArray, FloatArray, Integer, IntArray, Integer, Integer, Integer, FloatArray,
                IntArray, Integer, Integer, Integer, FloatArray, FloatArray, FloatArray, Integer, IntArray, FloatArray> downAdd) {

    static FfnKernels of(boolean dp4a) {
        return dp4a
                ? new FfnKernels(NormMatVecDp4a::routerAndGateUp, NormMatVecDp4a::expertsGateUp, ResidualDp4a::downAdd)
                : new FfnKernels(NormMatVec::routerAndGateUp, NormMatVec::expertsGateUp, Residual::downAdd);
    }
}
