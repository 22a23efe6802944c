package dev.userstream.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring console: a web page ({@code /}) and its JSON API ({@code /api/overview}) over
 * what {@link Sampler} collects in the background: topics with partitions, offsets and rates;
 * consumer groups with lag per partition; staged and published counts in PostgreSQL; rows in
 * Cassandra; dead letters with their reasons; produce-to-store latency; registered schemas; charts
 * of rates, lag and latency; links to the Spark and Airflow UIs. Run it: {@code java -jar
 * userstream-console-bundled.jar --port=18088 [--kafkaBootstrapServers=... --postgresPasswordFile=...]}.
 */
public final class ConsoleServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final Sampler sampler;

  private ConsoleServer(HttpServer server, Sampler sampler) {
    this.server = server;
    this.sampler = sampler;
  }

  static ConsoleServer start(ConsoleSettings settings) throws IOException {
    Sampler sampler = new Sampler(settings);
    HttpServer server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
    ConsoleServer console = new ConsoleServer(server, sampler);
    server.createContext("/api/overview", console::overview);
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
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      console.close();
      stopped.countDown();
    }));
    stopped.await();
  }

  private void overview(HttpExchange exchange) throws IOException {
    try (exchange) {
      send(exchange, 200, "application/json", JSON.writeValueAsBytes(sampler.overview()));
    }
  }

  private void page(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals("/")) {
        send(exchange, 404, "text/plain; charset=utf-8", "not found".getBytes());
        return;
      }
      try (InputStream in = ConsoleServer.class.getResourceAsStream("/console/index.html")) {
        send(exchange, 200, "text/html; charset=utf-8", in.readAllBytes());
      }
    }
  }

  private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    sampler.close();
  }
}
