package org.dsv3.runner;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.runner.console.Terminals;
import org.dsv3.runner.load.LoadedModel;
import org.dsv3.runner.load.ModelLoader;
import org.dsv3.runner.load.Progress;
import org.dsv3.runner.server.ApiServer;
import org.dsv3.runner.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dsv3 serve}: the OpenAI-compatible HTTP API until the process is stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Serves an OpenAI-compatible HTTP API (POST /v1/chat/completions, POST /v1/completions, "
                + "GET /v1/models, GET /health) until stopped (Ctrl-C, SIGTERM).")
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDR",
            description = "address to listen on (default ${DEFAULT-VALUE}: this machine only)")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "N", description = "TCP port; 0 = any free one (default ${DEFAULT-VALUE})")
    int port;

    @Option(names = {"-np", "--parallel"}, defaultValue = "1", paramLabel = "N",
            description = "requests generated at once, each with its own KV cache of --ctx tokens (default ${DEFAULT-VALUE})")
    int parallel;

    @Option(names = "--queue", defaultValue = "16", paramLabel = "N",
            description = "requests that may wait for a free slot; more get 429 (default ${DEFAULT-VALUE})")
    int queue;

    @Option(names = "--alias", paramLabel = "NAME", description = "the model's id in the API (default: the file name)")
    String alias;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        SessionOptions sessionOptions = modelOptions.sessionOptions();
        LoadedModel model = new ModelLoader(Progress.forTerminal(err, Terminals.interactive())).load(modelOptions.spec());
        ServerConfig config;
        try {
            config = new ServerConfig(host, port, parallel, queue, ServerConfig.DEFAULT_MAX_BODY,
                    alias != null ? alias : model.name());
        } catch (IllegalArgumentException e) {
            model.close();
            throw new UserError(e.getMessage());
        }
        ApiServer server = new ApiServer(model, sessionOptions, config);
        CountDownLatch stopped = new CountDownLatch(1);
        try {
            server.start();
        } catch (RuntimeException e) {
            server.close();
            model.close();
            throw new UserError("cannot listen on " + host + ":" + port + ": " + rootMessage(e));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            model.close();
            stopped.countDown();
        }, "dsv3-serve-shutdown"));
        err.printf("dsv3: serving %s on http://%s:%d/v1 (%d slot%s of %d tokens, queue %d)%n", config.modelName(),
                host.contains(":") ? "[" + host + "]" : host, server.port(), parallel, parallel == 1 ? "" : "s",
                sessionOptions.contextLength(model.config()), queue);
        err.flush();
        stopped.await();
        return 0;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
