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
 * The decode kernels that have 8-bit dots, chosen once per plan: {@link NormMatVec} and {@link Residual} as written
 * (8-bit dots as byte products), or their generated twins whose 8-bit dots are PTX's {@code dp4a}
 * ({@code NormMatVecDp4a}, {@code ResidualDp4a}; see {@code Int8Dot}). Same parameters, so the graphs declare each
 * task once.
 */
record DecodeKernels(
        Task20<KernelContext, FloatArray, FloatArray, Float, Integer, IntArray, Integer, Integer, FloatArray, FloatArray,
                FloatArray, IntArray, Integer, Integer, FloatArray, Integer, Integer, IntArray, FloatArray, FloatArray> project2,
        Task20<KernelContext, FloatArray, FloatArray, Float, Integer, IntArray, Integer, Integer, FloatArray,
                IntArray, Integer, IntArray, Integer, Integer, FloatArray, Integer, Integer, IntArray, FloatArray,
                FloatArray> routerAndGateUp,
        Task20<KernelContext, FloatArray, FloatArray, Float, Integer, FloatArray, FloatArray, FloatArray, IntArray,
                IntArray, Integer, Integer, Integer, FloatArray, Integer, Integer, Integer, Float, IntArray, FloatArray> expertsGateUp,
        Task19<KernelContext, FloatArray, FloatArray, Integer, IntArray, Integer, Integer, Integer, FloatArray,
                IntArray, Integer, Integer, Integer, FloatArray, FloatArray, FloatArray, Integer, IntArray, FloatArray> downAdd) {

    static DecodeKernels of(boolean dp4a) {
        return dp4a
                ? new DecodeKernels(NormMatVecDp4a::project2, NormMatVecDp4a::routerAndGateUp, NormMatVecDp4a::expertsGateUp,
                        ResidualDp4a::downAdd)
                : new DecodeKernels(NormMatVec::project2, NormMatVec::routerAndGateUp, NormMatVec::expertsGateUp,
                        Residual::downAdd);
    }
}
