package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import org.dsv3.model.backend.SessionOptions;
import org.dsv3.runner.generate.CachedSession;
import org.dsv3.runner.generate.Generator;
import org.dsv3.runner.load.LoadedModel;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI-compatible HTTP API over a loaded model, and a web chat page at {@code /} ({@link ChatPage}):
 * {@code POST /v1/chat/completions},
 * {@code POST /v1/completions}, {@code GET /v1/models[/{id}]}, {@code GET /health}, and llama-server's
 * {@code POST /tokenize}, {@code POST /detokenize}, {@code GET /props}, {@code GET /slots},
 * {@code GET /metrics}. Requests share
 * {@link ServerConfig#parallel()} slots through a FIFO queue ({@link SlotPool}); every error is an
 * OpenAI-style JSON body, Jetty's own included ({@link JsonErrorHandler}). No path or file name is
 * ever taken from a request. Access: {@link AccessCheck}; bodies: {@link JsonBody}; a connection
 * that sends nothing for {@link ServerConfig#idleTimeoutMs()} is closed (a long answer being
 * generated is not "sending nothing": the timeout counts only while Jetty waits for input or output).
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ApiServer.class);
    /** Request line and headers together may not exceed this. */
    private static final int MAX_HEADER_BYTES = 16 * 1024;
    /** Every path served (for CORS preflights). */
    private static final List<String> PATHS = List.of("/", "/health", "/v1/models", "/v1/models/{id}", "/tokenize",
            "/detokenize", "/props", "/slots", "/metrics", "/v1/chat/completions", "/v1/completions");
    /** Request attribute: the answer is an {@link ApiError} already written. */
    private static final String ANSWERED = "dsv3.answered";

    private final ServerConfig config;
    private final SlotPool pool;
    private final List<CachedSession> sessions = new ArrayList<>();
    private final CompletionService service;
    private final RequestParser parser;
    private final JsonBody body;
    private final AccessCheck access;
    private final CorsPolicy cors;
    private final TokenEndpoints tokens;
    private final StatusEndpoints status;
    private final ChatPage page = new ChatPage();
    private final RequestLog requestLog;
    private final WarmUp warmUp = new WarmUp();
    private final int warmUpToken;
    private final long created = System.currentTimeMillis() / 1000;
    private Javalin app;

    /** With the default prompt batch ({@link Generator#DEFAULT_PREFILL_CHUNK} tokens per forward step). */
    public ApiServer(LoadedModel model, SessionOptions sessionOptions, ServerConfig config) {
        this(model, sessionOptions, config, Generator.DEFAULT_PREFILL_CHUNK);
    }

    /** {@code prefillChunk}: prompt tokens per forward step ({@code serve -b}); one line per request on stderr. */
    public ApiServer(LoadedModel model, SessionOptions sessionOptions, ServerConfig config, int prefillChunk) {
        this(model, sessionOptions, config, prefillChunk, System.err);
    }

    /** With the per-request lines ({@link RequestLog}) written to {@code requestLog}. */
    public ApiServer(LoadedModel model, SessionOptions sessionOptions, ServerConfig config, int prefillChunk,
                     java.io.PrintStream requestLog) {
        this.config = config;
        this.requestLog = new RequestLog(requestLog);
        List<Slot> slots = new ArrayList<>();
        for (int i = 0; i < config.parallel(); i++) {
            CachedSession s = model.newSession(sessionOptions);
            sessions.add(s);
            slots.add(new Slot(i, s, new Generator(model.tokenizer(), s, prefillChunk)));
        }
        int contextSize = sessions.getFirst().maxContext();
        int bos = model.tokenizer().bosId();
        this.warmUpToken = bos >= 0 && bos < model.tokenizer().vocabSize() ? bos : 0;
        this.pool = new SlotPool(slots, config.queue());
        this.parser = new RequestParser(contextSize, model.tokenizer().vocabSize());
        this.body = new JsonBody(config.maxBodyBytes());
        this.cors = new CorsPolicy(config.corsOrigins());
        this.access = new AccessCheck(config.apiKey(), config.host(), cors);
        ServerMetrics metrics = new ServerMetrics(slots.size());
        this.service = new CompletionService(model.template().isPresent() ? model.prompts() : null,
                model.templateProblem(), model.rawPrompts(), pool, config.modelName(), contextSize, metrics);
        this.tokens = new TokenEndpoints(model.tokenizer());
        this.status = new StatusEndpoints(pool, metrics, model.file().path().toString(), config.modelName(),
                model.template().map(t -> t.name()).orElse(null), contextSize);
    }

    /** Starts listening; returns once the port is bound. */
    public ApiServer start() {
        app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.startup.showOldJavalinVersionWarning = false;
            c.http.compressionStrategy = CompressionStrategy.NONE;
            c.jetty.modifyHttpConfiguration(http -> {
                http.setRequestHeaderSize(MAX_HEADER_BYTES);
                http.setSendServerVersion(false);
                http.setIdleTimeout(config.idleTimeoutMs());
            });
            c.jetty.addConnector((server, httpConfig) -> {
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
                connector.setHost(config.host());
                connector.setPort(config.port());
                connector.setIdleTimeout(config.idleTimeoutMs());
                return connector;
            });
            c.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
            c.jetty.modifyServletContextHandler(h -> h.setErrorHandler(new JsonErrorHandler()));
            c.requestLogger.http(requestLog::log);
            c.routes.before(access::check);
            c.routes.before(this::refuseWhileWarming);
            for (String path : PATHS) { // OPTIONS on the API's own paths only: any other path stays a 404
                c.routes.options(path, this::options);
            }
            c.routes.get("/", page::serve);
            c.routes.get("/health", this::health);
            c.routes.get("/v1/models", ctx -> json(ctx, 200, ResponseJson.models(config.modelName(), created)));
            c.routes.get("/v1/models/{id}", this::model);
            c.routes.post("/tokenize", ctx -> json(ctx, 200, tokens.tokenize(body.read(ctx.req(), ctx.res()))));
            c.routes.post("/detokenize", ctx -> json(ctx, 200, tokens.detokenize(body.read(ctx.req(), ctx.res()))));
            c.routes.get("/props", ctx -> json(ctx, 200, status.props()));
            c.routes.get("/slots", ctx -> ctx.status(200).contentType("application/json").result(status.slots().toString()));
            c.routes.get("/metrics", ctx -> ctx.status(200).contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(status.metrics()));
            c.routes.post("/v1/chat/completions", ctx -> service.serve(ctx, parser.chat(body.read(ctx.req(), ctx.res()))));
            c.routes.post("/v1/completions", ctx -> service.serve(ctx, parser.completion(body.read(ctx.req(), ctx.res()))));
            c.routes.exception(ApiError.class, (e, ctx) -> {
                ctx.attribute(ANSWERED, true); // a 404 of ours (an unknown model) keeps its own body
                json(ctx, e.status(), e.toJson());
            });
            c.routes.exception(Exception.class, (e, ctx) -> {
                if (e instanceof java.io.IOException) { // the connection failed under us: one line, no trace
                    LOG.warn("request failed: {} {}: {}", ctx.method(), ctx.path(), e.toString());
                } else {
                    LOG.error("request failed: {} {}", ctx.method(), ctx.path(), e);
                }
                json(ctx, 500, new ApiError(500, "server_error", null, null, "internal error: " + e).toJson());
            });
            c.http.prefer405over404 = true;
            c.routes.error(404, ctx -> {
                if (ctx.attribute(ANSWERED) == null) {
                    json(ctx, 404, ApiError.notFound("no such endpoint: " + ctx.method() + " " + ctx.path()).toJson());
                }
            });
            c.routes.error(405, ctx -> json(ctx, 405, new ApiError(405, "invalid_request_error", null,
                    "method_not_allowed", ctx.method() + " is not allowed on " + ctx.path()).toJson()));
        });
        app.start();
        warmUp.start(sessions.getFirst(), warmUpToken);
        return this;
    }

    /** Waits until the model's warm-up step has run (tests; {@code serve} answers 503 meanwhile). */
    public boolean awaitWarm(long millis) throws InterruptedException {
        return warmUp.await(millis);
    }

    /** While the warm-up runs, every request but {@code /health}, the chat page and preflights gets 503. */
    private void refuseWhileWarming(Context ctx) {
        if (warmUp.warm() || ctx.path().equals("/health") || ctx.path().equals("/")
                || io.javalin.http.HandlerType.OPTIONS.equals(ctx.method())) {
            return;
        }
        throw new ApiError(503, "unavailable_error", null, "loading_model", "the model is loading; try again shortly"
                + " (GET /health says ok when it is ready)");
    }

    /** The port listened on (the one picked when the configuration said 0). */
    public int port() {
        return app.port();
    }

    /** A CORS preflight of an allowed origin gets 204 with what may be sent; any other OPTIONS is a 405. */
    private void options(Context ctx) {
        if (cors.isPreflight(ctx)) {
            cors.preflight(ctx);
            return;
        }
        json(ctx, 405, new ApiError(405, "invalid_request_error", null, "method_not_allowed",
                "OPTIONS is answered only as a CORS preflight of an origin given with --cors-origin").toJson());
    }

    /** One model object, or 404 {@code model_not_found} in OpenAI's shape. */
    private void model(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.equals(config.modelName())) {
            throw new ApiError(404, "invalid_request_error", "model", "model_not_found",
                    "the model '" + (id.length() > 200 ? id.substring(0, 200) + "…" : id) + "' does not exist");
        }
        json(ctx, 200, (ObjectNode) ResponseJson.models(config.modelName(), created).get("data").get(0));
    }

    private void health(Context ctx) {
        ObjectNode h = JsonNodeFactory.instance.objectNode();
        if (!warmUp.warm()) {
            json(ctx, 503, h.put("status", "loading model"));
            return;
        }
        int idle = pool.idle();
        h.put("status", "ok");
        h.put("model", config.modelName());
        h.put("slots_idle", idle);
        h.put("slots_processing", pool.size() - idle);
        h.put("requests_waiting", pool.queued());
        json(ctx, 200, h);
    }

    private static void json(Context ctx, int status, ObjectNode body) {
        ctx.status(status).contentType("application/json").result(body.toString());
    }

    /** Stops listening and frees the sessions (the model stays open: the caller owns it). */
    @Override
    public void close() {
        if (app != null) {
            app.stop();
        }
        sessions.forEach(CachedSession::close);
    }
}
