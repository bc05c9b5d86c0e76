package org.dsv3.model.gguf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A model stored in one GGUF file or split over several ({@code name-00001-of-00009.gguf},
 * docs/architecture.md §9.4). Opening any shard opens them all; metadata comes from the first shard,
 * tensors from every shard, each still a slice of its own memory-mapped file.
 */
public final class GgufModel implements AutoCloseable {
    private static final Pattern SPLIT_NAME = Pattern.compile("(.*)-(\\d{5})-of-(\\d{5})\\.gguf");

    private final List<GgufFile> shards;
    private final GgufMetadata metadata;
    private final Map<String, GgufTensor> tensors;

    private GgufModel(List<GgufFile> shards, Map<String, GgufTensor> tensors) {
        this.shards = List.copyOf(shards);
        this.metadata = shards.getFirst().metadata();
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** Keys that name what a file is: every shard of one model that carries them carries the same values. */
    private static final List<String> IDENTITY_KEYS = List.of("general.architecture", "general.name",
            "general.file_type", "general.quantization_version", "tokenizer.ggml.model");

    /** Opens the model that {@code path} is part of; a missing or inconsistent shard is named in the error. */
    public static GgufModel open(Path path) {
        String kind = GgufFile.notARegularFile(path);
        if (kind != null) {
            throw new GgufException(path + ": " + kind + ", not a GGUF file");
        }
        Matcher m = SPLIT_NAME.matcher(path.getFileName().toString());
        GgufFile first = GgufFile.open(path);
        List<GgufFile> shards = new ArrayList<>();
        try {
            int count = first.metadata().optInt("split.count", 1);
            if (count <= 1) {
                shards.add(first);
                return new GgufModel(shards, new LinkedHashMap<>(first.tensors()));
            }
            if (!m.matches()) {
                throw GgufException.of(path, "split.count", "file says it is one of " + count
                        + " shards but its name does not follow the <prefix>-NNNNN-of-NNNNN.gguf pattern");
            }
            int no = first.metadata().optInt("split.no", 0);
            String prefix = m.group(1);
            for (int i = 0; i < count; i++) {
                if (i == no) {
                    shards.add(first);
                    continue;
                }
                Path sibling = path.resolveSibling(String.format("%s-%05d-of-%05d.gguf", prefix, i + 1, count));
                if (!Files.isRegularFile(sibling)) {
                    throw new GgufException(sibling + ": shard " + (i + 1) + " of " + count + " is missing (opened from " + path + ")");
                }
                shards.add(GgufFile.open(sibling));
            }
            Map<String, GgufTensor> all = new LinkedHashMap<>();
            long expectedTensors = first.metadata().getLong("split.tensors.count");
            for (int i = 0; i < count; i++) {
                GgufFile s = shards.get(i);
                int sNo = s.metadata().optInt("split.no", -1);
                int sCount = s.metadata().optInt("split.count", -1);
                if (sNo != i || sCount != count) {
                    throw GgufException.of(s.path(), "split.no/split.count", "shard says " + sNo + " of " + sCount
                            + ", expected " + i + " of " + count);
                }
                for (String key : IDENTITY_KEYS) {
                    // llama-gguf-split writes the metadata in the first shard only; a shard that has its
                    // own must agree with it
                    Optional<GgufValue> own = s.metadata().get(key);
                    Optional<GgufValue> firsts = shards.getFirst().metadata().get(key);
                    if (i > 0 && own.isPresent() && !own.equals(firsts)) {
                        throw GgufException.of(s.path(), key, "shard " + (i + 1) + " says " + own.get().value()
                                + " but the first shard " + firsts.map(v -> "says " + v.value()).orElse("has no such key")
                                + ": the shards come from different models");
                    }
                }
                if (!s.metadata().contains("split.tensors.count")) {
                    throw GgufException.of(s.path(), "split.tensors.count", "missing: shard " + (i + 1)
                            + " does not say which split set it belongs to");
                }
                if (s.metadata().getLong("split.tensors.count") != expectedTensors) {
                    throw GgufException.of(s.path(), "split.tensors.count", s.metadata().getLong("split.tensors.count")
                            + " differs from the first shard's " + expectedTensors);
                }
                for (GgufTensor t : s.tensors().values()) {
                    if (all.putIfAbsent(t.name(), t) != null) {
                        throw GgufException.of(s.path(), "tensor " + t.name(), "appears in more than one shard");
                    }
                }
            }
            if (all.size() != expectedTensors) {
                throw GgufException.of(shards.getFirst().path(), "split.tensors.count", "says " + expectedTensors
                        + " tensors but the " + count + " shards hold " + all.size());
            }
            return new GgufModel(shards, all);
        } catch (RuntimeException e) {
            for (GgufFile s : shards) {
                s.close();
            }
            if (!shards.contains(first)) {
                first.close();
            }
            throw e;
        }
    }

    public GgufMetadata metadata() {
        return metadata;
    }

    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            throw new GgufException(shards.getFirst().path() + ": tensor " + name + ": not found");
        }
        return t;
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    public List<GgufFile> shards() {
        return shards;
    }

    public Path path() {
        return shards.getFirst().path();
    }

    /** Total bytes of all shard files. */
    public long fileSize() {
        return shards.stream().mapToLong(GgufFile::fileSize).sum();
    }

    @Override
    public void close() {
        for (GgufFile s : shards) {
            s.close();
        }
    }
}
