package org.dsv3.runner;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.runner.console.Terminals;
import org.dsv3.runner.load.LoadedModel;
import org.dsv3.runner.load.ModelLoader;
import org.dsv3.runner.load.Progress;
import org.dsv3.runner.server.ApiServer;
import org.dsv3.runner.server.CorsPolicy;
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

    @Mixin
    BatchOption batch;

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

    @Option(names = "--api-key", paramLabel = "KEY",
            description = "clients must send 'Authorization: Bearer KEY' (all endpoints but /health)")
    String apiKey;

    @Option(names = "--api-key-file", paramLabel = "FILE", description = "read the API key from the first line of FILE")
    Path apiKeyFile;

    @Option(names = "--idle-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "close a connection that sends nothing this long: a stalled upload, an idle keep-alive (default ${DEFAULT-VALUE})")
    double idleTimeoutSeconds;

    @Option(names = "--cors-origin", paramLabel = "ORIGIN",
            description = "let web pages of ORIGIN (scheme://host[:port]) call the API; repeatable; * for any origin"
                    + " (needs --api-key, or --cors-any-without-key)")
    List<String> corsOrigins = new ArrayList<>();

    @Option(names = "--cors-any-without-key",
            description = "allow --cors-origin * without an API key: every web page a user opens may then use the model")
    boolean corsAnyWithoutKey;

    /** The most slots one server may have, whatever the memory. */
    static final int MAX_PARALLEL = 256;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        // every option is checked before the model is loaded
        modelOptions.validate();
        SessionOptions sessionOptions = modelOptions.sessionOptions();
        int chunk = batch.value();
        String key = apiKey();
        if (parallel < 1 || parallel > MAX_PARALLEL) {
            throw new UserError("--parallel must be in 1.." + MAX_PARALLEL + ", got " + parallel);
        }
        if (queue < 0) {
            throw new UserError("--queue must be >= 0, got " + queue);
        }
        if (!(idleTimeoutSeconds >= 0.1 && idleTimeoutSeconds <= 3600)) {
            throw new UserError("--idle-timeout must be between 0.1 and 3600 seconds, got " + idleTimeoutSeconds);
        }
        List<String> origins = corsOrigins();
        if (origins.contains(CorsPolicy.ANY) && key == null && !corsAnyWithoutKey) {
            throw new UserError("--cors-origin * without an API key would let every web page you open use the model;"
                    + " give --api-key (pages then need the key), list the origins, or add --cors-any-without-key");
        }
        PortCheck.check(host, port);
        LoadedModel model = new ModelLoader(Progress.forTerminal(err, Terminals.interactive())).load(modelOptions.spec());
        ServerConfig config;
        try {
            checkCacheMemory(model, sessionOptions);
            config = new ServerConfig(host, port, parallel, queue, ServerConfig.DEFAULT_MAX_BODY,
                    alias != null ? alias : model.name(), key, Math.round(idleTimeoutSeconds * 1000), origins);
        } catch (IllegalArgumentException | UserError e) {
            model.close();
            throw e instanceof UserError u ? u : new UserError(e.getMessage());
        }
        if (config.beyondLoopback() && key == null) {
            err.println("dsv3: warning: listening on " + host + " without an API key: anyone who can reach this address"
                    + " can use the model (give --api-key or --api-key-file)");
        }
        ApiServer server = new ApiServer(model, sessionOptions, config, chunk);
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

    private List<String> corsOrigins() {
        List<String> out = new ArrayList<>();
        for (String o : corsOrigins) {
            try {
                out.add(CorsPolicy.normalize(o));
            } catch (IllegalArgumentException e) {
                throw new UserError(e.getMessage());
            }
        }
        return out;
    }

    private String apiKey() {
        if (apiKey != null && apiKeyFile != null) {
            throw new UserError("give the API key with one of --api-key or --api-key-file, not both");
        }
        if (apiKeyFile == null) {
            if (apiKey != null && apiKey.isBlank()) {
                throw new UserError("--api-key is empty");
            }
            return apiKey;
        }
        String text;
        try {
            text = Files.readString(apiKeyFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UserError("--api-key-file " + apiKeyFile + ": cannot read it: " + org.dsv3.model.gguf.GgufFile.reason(e));
        }
        String first = text.lines().findFirst().orElse("").strip();
        if (first.isEmpty()) {
            throw new UserError("--api-key-file " + apiKeyFile + ": the file's first line is empty");
        }
        return first;
    }

    /**
     * Refuses more slots than the Java heap can hold full KV caches for: each slot's cache grows
     * up to its context, so a server whose slots all fill would run out of memory mid-answer.
     */
    private void checkCacheMemory(LoadedModel model, SessionOptions options) {
        if (!modelOptions.device.equals("cpu")) {
            return; // the caches live on the device
        }
        int ctx = options.maxContext() > 0 ? Math.min(options.maxContext(), model.config().contextLength())
                : model.config().contextLength();
        long perSlot = (long) model.config().blockCount() * model.config().kvCacheWidth() * ctx
                * options.kvCacheType().bytesPerValue();
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (perSlot * parallel > available) {
            throw new UserError("--parallel " + parallel + " needs " + Units.bytes(perSlot * parallel) + " of KV cache ("
                    + Units.bytes(perSlot) + " per slot of " + ctx + " tokens), but the Java heap has "
                    + Units.bytes(available) + " free; use fewer slots, a smaller --ctx or a larger -Xmx");
        }
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }
}
