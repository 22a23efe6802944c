package dev.userstream.profiles;

import com.datastax.oss.driver.api.core.AllNodesFailedException;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.QueryExecutionException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.userstream.shared.HttpServers;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The read API over the stored profiles, HTTP and JSON, read-only:
 *
 * <ul>
 *   <li>{@code GET /profiles/{id}}: one profile, or 404;
 *   <li>{@code GET /profiles?email=&username=&nat=&country=&lastNamePrefix=&limit=&cursor=}: a page of
 *       the profiles matching every filter given, and the cursor of the next page;
 *   <li>{@code GET /openapi.json}: the OpenAPI 3 description (src/main/resources/profiles-api/openapi.json);
 *   <li>{@code GET /health}: whether Cassandra answers.
 * </ul>
 *
 * <p>Bad input is a 400 whose body says what is wrong, and nothing is read for it; a store that
 * does not answer is a 503. No response carries a stack trace. Run it: {@code java -jar
 * userstream-profiles-api-bundled.jar --port=18095 --cassandraUser=userstream_reader
 * --cassandraPasswordFile=FILE}.
 */
public final class ProfilesApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProfilesApiServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String PROFILES = "/profiles";
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final String JSON_TYPE = "application/json; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService threads;
  private final ProfileSource profiles;
  private final Cursors cursors;
  private final int defaultLimit;
  private final int maxLimit;

  private ProfilesApiServer(HttpServer server, ExecutorService threads, ProfileSource profiles, Cursors cursors,
      int defaultLimit, int maxLimit) {
    this.server = server;
    this.threads = threads;
    this.profiles = profiles;
    this.cursors = cursors;
    this.defaultLimit = defaultLimit;
    this.maxLimit = maxLimit;
  }

  /** Serves {@code profiles} on host:port (0: any free port). */
  static ProfilesApiServer start(String host, int port, int threadCount, ProfileSource profiles, Cursors cursors,
      int defaultLimit, int maxLimit) throws IOException {
    HttpServer server = HttpServers.create(new InetSocketAddress(host, port), 256);
    ExecutorService threads = Executors.newFixedThreadPool(threadCount, r -> {
      Thread t = new Thread(r, "profiles-api-http");
      t.setDaemon(true);
      return t;
    });
    ProfilesApiServer api = new ProfilesApiServer(server, threads, profiles, cursors, defaultLimit, maxLimit);
    server.createContext("/", api::handle);
    server.setExecutor(threads);
    server.start();
    return api;
  }

  int port() {
    return server.getAddress().getPort();
  }

  public static void main(String[] args) throws Exception {
    ProfilesApiServer api;
    try {
      ApiSettings settings = ApiSettings.parse(args);
      Cursors cursors = Cursors.fromKeyFile(settings.cursorKeyFile());
      if (settings.cursorKeyFile().isEmpty()) {
        LOG.warn("No --cursorKeyFile: cursors are signed with a random key and end with this process");
      }
      ProfileSource store = new CassandraProfiles(settings.cassandra(), settings.table());
      api = start(settings.host(), settings.port(), settings.threads(), store, cursors, settings.defaultLimit(),
          settings.maxLimit());
      LOG.info("Reading {}.{} at {} as role '{}'", settings.cassandra().keyspace, settings.table(),
          settings.cassandra().contactPoints, settings.cassandra().user);
    } catch (RuntimeException | IOException e) {
      LOG.error("The profiles API failed to start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    LOG.info("profiles API listening on http://{}:{}{}", api.server.getAddress().getHostString(), api.port(), PROFILES);
    HttpServers.closeOnShutdownAndWait(api);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      if (!"GET".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "GET");
        error(exchange, 405, "only GET: this API is read-only");
        return;
      }
      try {
        if (path.equals(PROFILES)) {
          list(exchange);
        } else if (path.startsWith(PROFILES + "/")) {
          byId(exchange, path.substring(PROFILES.length() + 1));
        } else if (path.equals("/openapi.json")) {
          openApi(exchange);
        } else if (path.equals("/health")) {
          health(exchange);
        } else {
          error(exchange, 404, "no such resource; see /openapi.json");
        }
      } catch (BadRequest e) {
        error(exchange, 400, e.getMessage());
      } catch (AllNodesFailedException | DriverTimeoutException | QueryExecutionException e) {
        LOG.warn("Cassandra did not answer {} {}: {}", exchange.getRequestMethod(), path, e.toString());
        error(exchange, 503, "the profile store is not answering; try again shortly");
      } catch (RuntimeException e) {
        LOG.error("Failed to serve {} {}", exchange.getRequestMethod(), path, e);
        error(exchange, 500, "internal error");
      }
    }
  }

  private void byId(HttpExchange exchange, String rawId) throws IOException, BadRequest {
    if (exchange.getRequestURI().getRawQuery() != null) {
      throw new BadRequest("GET /profiles/{id} takes no query parameters");
    }
    if (!UUID_TEXT.matcher(rawId).matches()) {
      throw new BadRequest("id: a profile id is a UUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6");
    }
    UUID id = UUID.fromString(rawId);
    Optional<ObjectNode> profile = profiles.byId(id);
    if (profile.isEmpty()) {
      error(exchange, 404, "no profile with id " + id);
      return;
    }
    HttpServers.send(exchange, 200, JSON_TYPE, JSON.writeValueAsBytes(profile.get()));
  }

  private void list(HttpExchange exchange) throws IOException, BadRequest {
    ProfileQuery query = ProfileQuery.parse(exchange.getRequestURI().getRawQuery(), defaultLimit, maxLimit);
    ByteBuffer from = query.cursor() == null ? null : cursors.open(query.canonicalFilters(), query.cursor());
    ProfileSource.Page page = profiles.list(query, from);
    ObjectNode body = JSON.createObjectNode();
    ArrayNode items = body.putArray("profiles");
    page.profiles().forEach(items::add);
    if (page.next() == null) {
      body.putNull("next");
    } else {
      body.put("next", cursors.issue(query.canonicalFilters(), page.next()));
    }
    HttpServers.send(exchange, 200, JSON_TYPE, JSON.writeValueAsBytes(body));
  }

  private void openApi(HttpExchange exchange) throws IOException {
    try (InputStream in = ProfilesApiServer.class.getResourceAsStream("/profiles-api/openapi.json")) {
      HttpServers.send(exchange, 200, JSON_TYPE, in.readAllBytes());
    }
  }

  private void health(HttpExchange exchange) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    try {
      profiles.check();
      body.put("status", "up");
      HttpServers.send(exchange, 200, JSON_TYPE, JSON.writeValueAsBytes(body));
    } catch (DriverException e) {
      LOG.warn("Health check: Cassandra did not answer: {}", e.toString());
      body.put("status", "down");
      body.put("error", "the profile store is not answering");
      HttpServers.send(exchange, 503, JSON_TYPE, JSON.writeValueAsBytes(body));
    }
  }

  private static void error(HttpExchange exchange, int status, String message) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", message);
    HttpServers.send(exchange, status, JSON_TYPE, JSON.writeValueAsBytes(body));
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
    profiles.close();
  }
}
