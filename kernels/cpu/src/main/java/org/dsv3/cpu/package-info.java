/**
 * The CPU backend: the DeepSeek forward pass in plain Java, weights read in place from the
 * memory-mapped GGUF file.
 *
 * <p>Where each part of {@code docs/architecture.md} lives:
 * <ul>
 *   <li>§6 model wiring (embedding, blocks, final norm, head): {@link org.dsv3.cpu.DeepSeekTransformer},
 *       one block: {@link org.dsv3.cpu.TransformerBlock}, norms: {@link org.dsv3.cpu.RmsNorm};</li>
 *   <li>§3 MLA, absorbed form and its latent cache: {@link org.dsv3.cpu.MlaAttention},
 *       {@link org.dsv3.cpu.LatentKvCache}; legacy {@code attn_kv_b} files: split by {@link org.dsv3.model.arch.LegacyKvB};</li>
 *   <li>§4 YaRN RoPE: {@link org.dsv3.model.arch.YarnRope} (shared with the device backend);</li>
 *   <li>§5 routing: {@link org.dsv3.model.arch.Router} (the routing rule is data,
 *       {@link org.dsv3.model.arch.RoutingRule}); experts and the MoE sum: {@link org.dsv3.cpu.MoeLayer},
 *       {@link org.dsv3.cpu.SwiGlu};</li>
 *   <li>§2 the tensor description ({@link org.dsv3.model.config.ModelTensors}) → objects: {@link org.dsv3.cpu.CpuModelLoader}.</li>
 * </ul>
 * Compute: {@link org.dsv3.cpu.WeightMatrix} (a quantized matrix in place), {@link org.dsv3.cpu.MatMul}
 * (batched products over the row kernels of {@code org.dsv3.cpu.kernels}), {@link org.dsv3.cpu.WorkerPool}
 * (persistent threads). The backend API: {@link org.dsv3.cpu.CpuBackendProvider} ({@code "cpu"}),
 * {@link org.dsv3.cpu.CpuBackend}, {@code CpuSession}.
 */
package org.dsv3.cpu;
