package org.dsv3.runner.load;

import java.nio.file.Path;
import java.util.Collection;
import org.dsv3.model.backend.BackendProvider;
import org.dsv3.model.backend.InferenceBackend;
import org.dsv3.model.backend.LoadListener;
import org.dsv3.model.chat.ChatTemplate;
import org.dsv3.model.chat.ChatTemplateException;
import org.dsv3.model.config.CheckedModel;
import org.dsv3.model.config.DeepSeekConfig;
import org.dsv3.model.config.ModelValidator;
import org.dsv3.model.gguf.GgufModel;
import org.dsv3.model.gguf.GgufTensor;
import org.dsv3.model.tokenizer.Tokenizer;
import org.dsv3.runner.Units;
import org.dsv3.runner.UserError;

/**
 * Loads a model in steps, each shown on a {@link Progress}: mapping the file (one without weights is
 * refused at once), checking it (configuration, tensors, tokenizer, chat template), reading the
 * weights into memory (when they fit) and handing them to the backend (which may report an upload,
 * for GPUs).
 */
public final class ModelLoader {
    private final Progress progress;

    public ModelLoader(Progress progress) {
        this.progress = progress;
    }

    public LoadedModel load(LoadSpec spec) {
        BackendProvider provider = BackendLookup.provider(spec.provider());
        GgufModel file = map(spec.model());
        try {
            Progress.Step check = progress.start("checking", 0);
            DeepSeekConfig config;
            CheckedModel checked;
            Tokenizer tokenizer;
            try {
                config = DeepSeekConfig.fromGguf(file, spec.routing());
                checked = ModelValidator.check(file, config);
                tokenizer = Tokenizer.fromGguf(file.metadata());
            } catch (RuntimeException e) {
                check.abandon();
                throw e;
            }
            ChatTemplate template = null;
            String problem = null;
            try {
                template = spec.template() != null ? spec.template().resolve(file.metadata()) : ChatTemplate.fromGguf(file.metadata());
            } catch (ChatTemplateException e) {
                problem = e.getMessage();
            }
            check.done("checked " + file.tensors().size() + " tensors, " + tokenizer.vocabSize() + "-token vocabulary, "
                    + (template != null ? "chat template " + template.name() : "no chat template"));
            preload(file, spec.preload());
            InferenceBackend backend = upload(provider, checked, spec);
            return new LoadedModel(modelName(spec.model()), file, config, tokenizer, template, problem, backend);
        } catch (RuntimeException | Error e) {
            file.close();
            throw e;
        }
    }

    private GgufModel map(Path path) {
        Progress.Step step = progress.start("mapping", 0);
        GgufModel file;
        try {
            file = GgufModel.open(path);
        } catch (RuntimeException e) {
            step.abandon();
            throw e;
        }
        if (file.tensors().isEmpty()) {
            file.close();
            step.abandon();
            throw new UserError(path + " is a vocabulary-only GGUF (tokenizer and chat template, no weights): nothing to"
                    + " generate with; tokenize, detokenize and template work on it");
        }
        int shards = file.shards().size();
        step.done("mapped " + path.getFileName() + " (" + Units.bytes(file.fileSize()) + ", " + shards
                + (shards == 1 ? " shard)" : " shards)"));
        return file;
    }

    private void preload(GgufModel file, Boolean wanted) {
        Collection<GgufTensor> tensors = file.tensors().values();
        long bytes = PageToucher.totalBytes(tensors);
        boolean fits = PageToucher.fitsInMemory(bytes);
        if (Boolean.FALSE.equals(wanted) || (wanted == null && !fits)) {
            if (wanted == null) {
                progress.start("reading", 0).done("left the weights on disk (" + Units.bytes(bytes)
                        + " is more than 3/4 of memory); pages come in as they are used");
            }
            return;
        }
        Progress.Step step = progress.start("reading", bytes);
        PageToucher.touch(tensors, step);
        step.done("read " + Units.bytes(bytes) + " of weights");
    }

    private InferenceBackend upload(BackendProvider provider, CheckedModel model, LoadSpec spec) {
        Progress.Step step = progress.start("loading", 0);
        StepListener listener = new StepListener();
        InferenceBackend backend = provider.load(model, spec.options(), listener);
        listener.finish();
        step.done("loaded on " + backend.device());
        return backend;
    }

    /** Shows the stages a backend reports (an upload to a GPU) as progress steps. */
    private final class StepListener implements LoadListener {
        private Progress.Step step;
        private String name;
        private long total;

        @Override
        public void stage(String stageName, long totalBytes) {
            finish();
            name = stageName;
            total = totalBytes;
            step = progress.start(stageName, totalBytes);
        }

        @Override
        public void progress(long doneBytes) {
            if (step != null) {
                step.update(doneBytes);
            }
        }

        void finish() {
            if (step != null) {
                step.done(name + (total > 0 ? " " + Units.bytes(total) : "") + " done");
                step = null;
            }
        }
    }

    /** {@code DeepSeek-V3-Q4_K_M-00001-of-00009.gguf} → {@code DeepSeek-V3-Q4_K_M}. */
    static String modelName(Path file) {
        String n = file.getFileName().toString();
        if (n.endsWith(".gguf")) {
            n = n.substring(0, n.length() - 5);
        }
        return n.replaceFirst("-\\d{5}-of-\\d{5}$", "");
    }
}
