package dev.userstream.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.userstream.options.CommandLine;
import dev.userstream.options.KafkaOptions;
import dev.userstream.shared.HttpServers;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A schema registry speaking the Confluent Schema Registry REST API subset that clients use, for
 * JSON Schema, with state in a compacted Kafka topic:
 *
 * <pre>
 * GET    /subjects                                  GET    /schemas/ids/{id}[/versions|/subjects]
 * GET    /subjects/{s}/versions                     GET    /schemas/types
 * GET    /subjects/{s}/versions/{v|latest}[/schema] POST   /compatibility/subjects/{s}/versions[/{v}]
 * POST   /subjects/{s}/versions   (register)        GET|PUT /config       GET|PUT|DELETE /config/{s}
 * POST   /subjects/{s}            (lookup)          GET    /mode
 * DELETE /subjects/{s}[/versions/{v}][?permanent=true]
 * </pre>
 *
 * Errors carry Confluent's codes in {@code {"error_code": ..., "message": ...}}. Run it: {@code java
 * -jar userstream-registry-bundled.jar --port=18081 --kafkaBootstrapServers=127.0.0.1:19092 [--topic=_schemas]}.
 */
public final class SchemaRegistryServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistryServer.class);
  static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final Registry registry;
  private final SchemaLog log;

  private SchemaRegistryServer(HttpServer server, ExecutorService executor, Registry registry, SchemaLog log) {
    this.server = server;
    this.executor = executor;
    this.registry = registry;
    this.log = log;
  }

  /** Starts on 127.0.0.1:{@code port} (0: any free port) over {@code log}. */
  static SchemaRegistryServer start(int port, SchemaLog log) throws IOException {
    return start("127.0.0.1", port, log);
  }

  /** Starts on {@code host} (0.0.0.0 inside a container; 127.0.0.1 anywhere else). */
  static SchemaRegistryServer start(String host, int port, SchemaLog log) throws IOException {
    Registry registry = new Registry(log);
    HttpServer server = HttpServers.create(new InetSocketAddress(host, port), 64);
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "schema-registry");
      t.setDaemon(true);
      return t;
    });
    SchemaRegistryServer registryServer = new SchemaRegistryServer(server, executor, registry, log);
    server.createContext("/", registryServer::handle);
    server.setExecutor(executor);
    server.start();
    return registryServer;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public String url() {
    return "http://" + server.getAddress().getHostString() + ":" + port();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    log.close();
  }

  /** The registry's options; {@code --help} lists them. */
  public interface Options extends KafkaOptions {
    @Description("Address to listen on")
    @Default.String("127.0.0.1")
    String getHost();

    void setHost(String value);

    @Description("Port to listen on (the local stack's: 18085)")
    @Default.Integer(18085)
    int getPort();

    void setPort(int value);

    @Description("Compacted Kafka topic that holds the registry's state (created when missing)")
    @Default.String("_schemas")
    String getTopic();

    void setTopic(String value);
  }

  public static void main(String[] args) throws Exception {
    Options options = CommandLine.settings(args, Options.class);
    String bootstrap = options.getKafkaBootstrapServers();
    String topic = options.getTopic();
    SchemaRegistryServer server;
    try {
      server = start(options.getHost(), options.getPort(), new KafkaSchemaLog(bootstrap, topic));
    } catch (RuntimeException | IOException e) {
      LOG.error("Schema registry failed to start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    LOG.info("schema registry listening on {} ({} subjects, {} schemas from {} at {})", server.url(),
        server.registry.subjectCount(), server.registry.schemaCount(), topic, bootstrap);
    HttpServers.closeOnShutdownAndWait(server);
  }

  // ---- HTTP

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      int status = 200;
      Object body;
      try {
        body = route(exchange);
      } catch (RegistryException e) {
        status = e.status();
        body = error(e.errorCode(), e.getMessage());
      } catch (JsonProcessingException e) {
        status = 400;
        body = error(400, "Unexpected request body: " + e.getOriginalMessage());
      } catch (RuntimeException e) {
        LOG.error("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        status = 500;
        body = error(50001, "Error in the backend datastore: " + e);
      }
      byte[] bytes = JSON.writeValueAsBytes(body);
      exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private Object route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String[] path = segments(exchange.getRequestURI().getRawPath());
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    boolean deleted = Boolean.parseBoolean(query.get("deleted"));
    boolean permanent = Boolean.parseBoolean(query.get("permanent"));
    int n = path.length;
    if (n == 0) {
      return JSON.createObjectNode();
    }
    switch (path[0]) {
      case "subjects":
        if (n == 1 && method.equals("GET")) {
          return registry.subjects(deleted);
        }
        if (n == 2) {
          if (method.equals("POST")) {
            JsonNode req = body(exchange);
            return versionJson(registry.lookup(path[1], type(req), text(req, "schema"), req.get("references"),
                deleted));
          }
          if (method.equals("DELETE")) {
            return registry.deleteSubject(path[1], permanent);
          }
        }
        if (n >= 3 && path[2].equals("versions")) {
          if (n == 3 && method.equals("GET")) {
            return registry.versions(path[1], deleted);
          }
          if (n == 3 && method.equals("POST")) {
            JsonNode req = body(exchange);
            int id = registry.register(path[1], type(req), text(req, "schema"), req.get("references"));
            return JSON.createObjectNode().put("id", id);
          }
          if (n == 4 && method.equals("GET")) {
            return versionJson(registry.version(path[1], path[3], deleted));
          }
          if (n == 4 && method.equals("DELETE")) {
            return registry.deleteVersion(path[1], path[3], permanent);
          }
          if (n == 5 && path[4].equals("schema") && method.equals("GET")) {
            return JSON.readTree(registry.version(path[1], path[3], deleted).schema());
          }
        }
        break;
      case "schemas":
        if (n == 2 && path[1].equals("types") && method.equals("GET")) {
          return List.of(Registry.JSON_TYPE);
        }
        if (n >= 3 && path[1].equals("ids") && method.equals("GET")) {
          int id = schemaId(path[2]);
          if (n == 3) {
            return JSON.createObjectNode().put("schemaType", Registry.JSON_TYPE).put("schema", registry.schema(id));
          }
          if (n == 4 && path[3].equals("versions")) {
            ArrayNode out = JSON.createArrayNode();
            registry.versionsOf(id).forEach(v ->
                out.add(JSON.createObjectNode().put("subject", v.subject()).put("version", v.version())));
            return out;
          }
          if (n == 4 && path[3].equals("subjects")) {
            return registry.versionsOf(id).stream().map(Registry.Version::subject).distinct().toList();
          }
        }
        break;
      case "compatibility":
        if (n >= 4 && n <= 5 && path[1].equals("subjects") && path[3].equals("versions") && method.equals("POST")) {
          JsonNode req = body(exchange);
          List<String> problems = registry.compatibility(path[2], n == 5 ? path[4] : null, type(req),
              text(req, "schema"), req.get("references"));
          ObjectNode out = JSON.createObjectNode().put("is_compatible", problems.isEmpty());
          if (Boolean.parseBoolean(query.get("verbose"))) {
            ArrayNode messages = out.putArray("messages");
            problems.forEach(messages::add);
          }
          return out;
        }
        break;
      case "config":
        if (n == 1 && method.equals("GET")) {
          return JSON.createObjectNode().put("compatibilityLevel", registry.globalLevel().name());
        }
        if (n <= 2 && method.equals("PUT")) {
          Compatibility level = registry.setLevel(n == 2 ? path[1] : null, text(body(exchange), "compatibility"));
          return JSON.createObjectNode().put("compatibility", level.name());
        }
        if (n == 2 && method.equals("GET")) {
          Compatibility level = registry.subjectLevel(path[1], Boolean.parseBoolean(query.get("defaultToGlobal")));
          return JSON.createObjectNode().put("compatibilityLevel", level.name());
        }
        if (n == 2 && method.equals("DELETE")) {
          return JSON.createObjectNode().put("compatibilityLevel", registry.deleteSubjectLevel(path[1]).name());
        }
        break;
      case "mode":
        if (n <= 2 && method.equals("GET")) {
          return JSON.createObjectNode().put("mode", "READWRITE");
        }
        break;
      default:
        break;
    }
    throw new RegistryException(404, 404, "HTTP 404 Not Found: " + method + " " + exchange.getRequestURI().getPath());
  }

  private static ObjectNode versionJson(Registry.Version v) {
    return JSON.createObjectNode().put("subject", v.subject()).put("version", v.version()).put("id", v.id())
        .put("schemaType", Registry.JSON_TYPE).put("schema", v.schema());
  }

  private static ObjectNode error(int code, String message) {
    return JSON.createObjectNode().put("error_code", code).put("message", message);
  }

  private static JsonNode body(HttpExchange exchange) throws IOException {
    byte[] bytes = exchange.getRequestBody().readAllBytes();
    if (bytes.length == 0) {
      throw RegistryException.badRequest("The request body is empty");
    }
    JsonNode body = JSON.readTree(bytes);
    if (!body.isObject()) {
      throw RegistryException.badRequest("The request body must be a JSON object");
    }
    return body;
  }

  private static String type(JsonNode request) {
    JsonNode type = request.get("schemaType");
    return type == null || type.isNull() ? null : type.asText();
  }

  private static String text(JsonNode request, String field) {
    JsonNode value = request.get(field);
    if (value == null || value.isNull()) {
      throw field.equals("schema") ? RegistryException.invalidSchema("the request has no \"schema\"")
          : field.equals("compatibility") ? RegistryException.invalidCompatibility("null")
          : RegistryException.badRequest("missing \"" + field + "\"");
    }
    return value.isTextual() ? value.asText() : value.toString();
  }

  private static int schemaId(String text) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw RegistryException.schemaNotFound("Schema " + text + " not found");
    }
  }

  private static String[] segments(String rawPath) {
    return java.util.Arrays.stream(rawPath.split("/")).filter(s -> !s.isEmpty())
        .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toArray(String[]::new);
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
              URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }
}
