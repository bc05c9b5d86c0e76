/**
 * What a compute backend offers, with nothing of any backend in it: a {@link org.dsv3.model.backend.BackendProvider}
 * (found by {@link org.dsv3.model.backend.Backends} through {@link java.util.ServiceLoader}) loads a model into an
 * {@link org.dsv3.model.backend.InferenceBackend}, which opens {@link org.dsv3.model.backend.InferenceSession}s:
 * a position, a KV cache of a chosen {@link org.dsv3.model.backend.KvCacheType}, and
 * {@code forward(tokens, Logits.ALL_POSITIONS | LAST_POSITION)}.
 */
package org.dsv3.model.backend;
