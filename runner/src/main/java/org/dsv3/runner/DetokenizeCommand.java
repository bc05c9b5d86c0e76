package org.dsv3.runner;

import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dsv3 detokenize}: the text of token ids. */
@Command(name = "detokenize", mixinStandardHelpOptions = true,
        description = "Prints the text of token ids exactly (no newline added), using the model file's tokenizer.")
final class DetokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF file (a full model or a vocab-only file)")
    Path model;

    @Option(names = "--ids", required = true, paramLabel = "IDS", description = "token ids: 1,2,3 or a JSON array [1, 2, 3]")
    String ids;

    @Override
    public Integer call() {
        int[] parsed = parseIds(ids);
        Tokenizer tok;
        try (GgufModel m = GgufModel.open(model)) {
            tok = Tokenizer.fromGguf(m.metadata());
        }
        for (int id : parsed) {
            if (id < 0 || id >= tok.vocabSize()) {
                throw new UserError("token id " + id + " is out of range: the vocabulary has " + tok.vocabSize() + " tokens");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.print(tok.decode(parsed));
        out.flush();
        return 0;
    }

    static int[] parseIds(String s) {
        String t = s.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        if (t.isBlank()) {
            return new int[0];
        }
        String[] parts = t.split("[,\\s]+");
        int[] r = new int[parts.length];
        int n = 0;
        for (String p : parts) {
            if (p.isEmpty()) {
                continue;
            }
            try {
                r[n++] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new UserError("--ids: '" + p + "' is not a token id (expected e.g. 1,2,3)");
            }
        }
        return java.util.Arrays.copyOf(r, n);
    }
}
