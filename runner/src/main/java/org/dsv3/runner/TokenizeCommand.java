package org.dsv3.runner;

import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code dsv3 tokenize}: the token ids of a text, as a JSON array. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Prints the token ids of a text as a JSON array, using the model file's tokenizer.",
                "With --show, then one line per token: its id and its text (JSON string; bytes of an unfinished UTF-8 sequence as \\\\xHH)."})
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE", description = "GGUF file (a full model or a vocab-only file)")
    Path model;

    @Option(names = "--text", paramLabel = "STR", description = "the text to tokenize")
    String text;

    @Option(names = "--text-file", paramLabel = "FILE", description = "read the text from a UTF-8 file instead")
    Path textFile;

    @Option(names = "--special", description = "match control tokens written in the text (e.g. <｜User｜>), as for chat prompts")
    boolean special;

    @Option(names = "--bos", description = "put the BOS token first")
    boolean bos;

    @Option(names = "--show", description = "also print each token's text")
    boolean show;

    @Override
    public Integer call() throws IOException {
        if ((text == null) == (textFile == null)) {
            throw new UserError("give exactly one of --text and --text-file");
        }
        String input = text != null ? text : Files.readString(textFile, StandardCharsets.UTF_8);
        Tokenizer tok;
        try (GgufModel m = GgufModel.open(model)) {
            tok = Tokenizer.fromGguf(m.metadata());
        }
        int[] ids = tok.encode(input, special, bos);
        PrintWriter out = spec.commandLine().getOut();
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < ids.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(ids[i]);
        }
        out.println(sb.append(']'));
        if (show) {
            for (int id : ids) {
                out.println(id + "\t" + Json.quote(Json.pieceText(tok.tokenPiece(id))));
            }
        }
        out.flush();
        return 0;
    }
}
