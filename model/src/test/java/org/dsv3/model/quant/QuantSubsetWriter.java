package org.dsv3.model.quant;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;

/**
 * Regenerates the quantization part of the committed {@code testdata/} subset from the full shared
 * data: copies the reference JSON and every {@code dequant-<TYPE>.f32} file verbatim, and cuts the
 * raw bytes of each sample (the first {@code count} values of the named tensor, whole blocks) out of
 * its GGUF file into {@code derived/quant/}, with the same values of the original BF16 model. Not a test; run by hand:
 * <pre>java -cp model/target/classes:model/target/test-classes org.dsv3.model.quant.QuantSubsetWriter FULL_DIR SUBSET_DIR</pre>
 */
public final class QuantSubsetWriter {
    private QuantSubsetWriter() {
    }

    public static void main(String[] args) throws IOException {
        Path full = Path.of(args[0]);
        Path subset = Path.of(args[1]);
        System.setProperty("dsv3.testdata", full.toString());
        for (QuantSample.Set set : QuantSample.Set.values()) {
            for (String dir : new String[] {set.references, set.cuts, "derived/quant/"}) {
                Files.createDirectories(subset.resolve(dir));
            }
            Files.copy(full.resolve(set.json), subset.resolve(set.json), StandardCopyOption.REPLACE_EXISTING);
        }
        for (QuantSample s : QuantSample.everything()) {
            Files.copy(full.resolve(s.referencePath()), subset.resolve(s.referencePath()), StandardCopyOption.REPLACE_EXISTING);
            try (GgufModel model = GgufModel.open(full.resolve(s.modelPath()))) {
                GgufTensor t = model.tensor(s.tensor());
                byte[] bytes = t.data().asSlice(0, s.byteCount()).toArray(ValueLayout.JAVA_BYTE);
                Files.write(subset.resolve(s.blocksPath()), bytes);
                System.out.println(s + " " + t.shape() + " -> " + s.blocksPath() + " (" + bytes.length + " bytes)");
            }
            Files.write(subset.resolve(s.originalsPath()), s.originalBytes(full).toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
