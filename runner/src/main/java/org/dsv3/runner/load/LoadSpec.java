package org.dsv3.runner.load;

import java.nio.file.Path;
import org.dsv3.model.backend.BackendOptions;
import org.dsv3.model.config.GroupRouting;

/**
 * What to load and where.
 *
 * @param model    the GGUF file (any shard of a split model)
 * @param provider the backend provider's name ({@code cpu}, {@code tornado})
 * @param options  backend options (threads)
 * @param routing  expert-group routing mode
 * @param preload  read the weights into memory before the first token; {@code null} = when they fit
 *                 comfortably in physical memory
 * @param template a chat template to use instead of the file's; {@code null} = the file's own
 */
public record LoadSpec(Path model, String provider, BackendOptions options, GroupRouting routing, Boolean preload,
                       TemplateOverride template) {

    /** The file's own chat template. */
    public LoadSpec(Path model, String provider, BackendOptions options, GroupRouting routing, Boolean preload) {
        this(model, provider, options, routing, preload, null);
    }
}
