package org.dsv3.runner;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.Callable;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.InferenceSession;
import org.dsv3.model.backend.KvCacheType;
import org.dsv3.model.backend.Logits;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.GroupRouting;
import org.dsv3.model.gguf.GgufModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dsv3 logits}: runs a token sequence and writes the logits of every position as
 * little-endian float32, row-major {@code [T, vocab]}. Prints nothing on stdout.
 */
@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Write the logits of every position of a token sequence to a file "
                + "(little-endian float32, row-major [T, vocab]).")
final class LogitsCommand implements Callable<Integer> {

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF model (any shard of a split model)")
    Path model;

    @Option(names = "--tokens", required = true, split = ",", paramLabel = "IDS", description = "comma-separated token ids")
    int[] tokens;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "output file")
    Path out;

    @Option(names = "--kv-type", defaultValue = "f32", paramLabel = "TYPE",
            description = "KV cache element type: f32, bf16 or f16 (default ${DEFAULT-VALUE})")
    String kvType;

    @Option(names = {"-b", "--batch", "--batch-size"}, defaultValue = "512", paramLabel = "N",
            description = "tokens per forward step; 1 = token by token (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "D",
            description = "compute device: cpu, tornado, or tornado:BACKEND:DEVICE such as tornado:0:0 or "
                    + "tornado:opencl:0 (default ${DEFAULT-VALUE})")
    String device;

    @Option(names = {"-t", "--threads"}, defaultValue = "0", paramLabel = "N", description = "compute threads; 0 = all cores (default)")
    int threads;

    @Option(names = "--group-routing", defaultValue = "AUTO", paramLabel = "MODE",
            description = "AUTO: the file's expert groups (8/4 for V3 files without the keys); OFF: plain top-k")
    GroupRouting groupRouting;

    @Override
    public Integer call() throws IOException {
        if (batch < 1) {
            throw new UserError("--batch must be at least 1, got " + batch);
        }
        KvCacheType cacheType = KvCacheType.parse(kvType);
        DeviceSpec spec = DeviceSpec.parse(device);
        var provider = DeviceSpec.provider(spec);
        try (GgufModel file = GgufModel.open(model)) {
            DeepSeekConfig config = DeepSeekConfig.fromGguf(file, groupRouting);
            try (InferenceBackend backend = provider.load(file, config, spec.options(threads));
                 InferenceSession session = backend.newSession(new SessionOptions(cacheType, tokens.length));
                 FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING)) {
                for (int from = 0; from < tokens.length; from += batch) {
                    int[] chunk = Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + batch));
                    write(ch, session.forward(chunk, Logits.ALL_POSITIONS));
                }
            }
        }
        return 0;
    }

    private static void write(FileChannel ch, float[] values) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
