package dev.userstream.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.userstream.shared.HttpServers;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring console: a web page ({@code /}) and its JSON API ({@code /api/overview}) over
 * what {@link Sampler} collects in the background: topics with partitions, offsets and rates;
 * consumer groups with lag per partition; staged and published counts in PostgreSQL; rows in
 * Cassandra; dead letters with their reasons; produce-to-store latency; registered schemas; charts
 * of rates, lag and latency; links to the Spark and Airflow UIs; and a search over the stored
 * profiles through the profiles API ({@code /api/profiles}). Run it: {@code java -jar
 * userstream-console-bundled.jar --port=18088 [--kafkaBootstrapServers=... --postgresPasswordFile=...]}.
 */
public final class ConsoleServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The profiles API's resources the page uses; a path segment of anything else is refused. */
  private static final Pattern PROFILES_PATH = Pattern.compile("/api/profiles(/[0-9A-Za-z-]{1,64})?");

  private static final Duration PROFILES_TIMEOUT = Duration.ofSeconds(10);

  private final HttpServer server;
  private final Sampler sampler;
  private final String profilesApi;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(PROFILES_TIMEOUT).build();

  private ConsoleServer(HttpServer server, Sampler sampler, String profilesApi) {
    this.server = server;
    this.sampler = sampler;
    this.profilesApi = profilesApi;
  }

  static ConsoleServer start(ConsoleSettings settings) throws IOException {
    Sampler sampler = new Sampler(settings);
    HttpServer server = HttpServers.create(new InetSocketAddress(settings.host(), settings.port()), 64);
    ConsoleServer console = new ConsoleServer(server, sampler, settings.profilesApi());
    server.createContext("/api/overview", console::overview);
    server.createContext("/api/profiles", console::profiles);
    server.createContext("/", console::page);
    server.setExecutor(Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "console-http");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    sampler.start();
    return console;
  }

  public static void main(String[] args) throws Exception {
    ConsoleServer console;
    try {
      console = start(ConsoleSettings.parse(args));
    } catch (RuntimeException | IOException e) {
      LOG.error("Console failed to start: {}", e.getMessage());
      System.exit(1);
      return;
    }
    LOG.info("console listening on http://127.0.0.1:{}/", console.server.getAddress().getPort());
    HttpServers.closeOnShutdownAndWait(console);
  }

  private void overview(HttpExchange exchange) throws IOException {
    try (exchange) {
      HttpServers.send(exchange, 200, "application/json", JSON.writeValueAsBytes(sampler.overview()));
    }
  }

  /**
   * {@code /api/profiles[/{id}]?...} is the profiles API's {@code /profiles[/{id}]?...}, passed through
   * as it answers (status and JSON body): the page then needs no second origin. Only GET, only
   * those paths; the API checks every parameter itself.
   */
  private void profiles(HttpExchange exchange) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getRawPath();
      if (!"GET".equals(exchange.getRequestMethod()) || !PROFILES_PATH.matcher(path).matches()) {
        HttpServers.send(exchange, 404, "application/json", JSON.writeValueAsBytes(Map.of("error", "not found")));
        return;
      }
      String query = exchange.getRequestURI().getRawQuery();
      URI target = URI.create(profilesApi + path.substring("/api".length()) + (query == null ? "" : "?" + query));
      try {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(target).timeout(PROFILES_TIMEOUT).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        HttpServers.send(exchange, response.statusCode(), "application/json", response.body());
      } catch (IOException e) {
        LOG.warn("The profiles API at {} did not answer: {}", profilesApi, e.toString());
        HttpServers.send(exchange, 502, "application/json",
            JSON.writeValueAsBytes(Map.of("error", "the profiles API at " + profilesApi + " is not answering")));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void page(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/")) {
        HttpServers.send(exchange, 404, "text/plain; charset=utf-8", "not found".getBytes());
        return;
      }
      try (InputStream in = ConsoleServer.class.getResourceAsStream("/console/index.html")) {
        HttpServers.send(exchange, 200, "text/html; charset=utf-8", in.readAllBytes());
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    sampler.close();
  }
}
