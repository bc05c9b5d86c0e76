/**
 * The parts of the architecture that do not depend on a device, shared by every backend: YaRN RoPE
 * frequencies ({@link org.dsv3.model.arch.YarnRope}, §4), the routing rule as data and its scalar
 * implementation ({@link org.dsv3.model.arch.RoutingRule}, {@link org.dsv3.model.arch.Router}, §5), the
 * split of a legacy {@code attn_kv_b} ({@link org.dsv3.model.arch.LegacyKvB}, §2.3) and small tensors
 * read as floats ({@link org.dsv3.model.arch.TensorValues}). The CPU backend computes with them
 * directly; for the device backend they build its tables at load and are the oracle of its kernels.
 */
package org.dsv3.model.arch;
