package dev.userstream.shared;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CountDownLatch;

/** What the project's HTTP servers (the schema registry, the console, the profiles API) share. */
public final class HttpServers {
  private HttpServers() {}

  /** Blocks until the JVM is asked to stop (SIGTERM, SIGINT), then closes {@code server}. */
  public static void closeOnShutdownAndWait(AutoCloseable server) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.close();
      } catch (Exception e) {
        // Shutting down anyway: nothing to tell but the log line the server writes itself.
      } finally {
        stopped.countDown();
      }
    }));
    stopped.await();
  }

  /** Sends a whole response; never cached, its type never sniffed. */
  public static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }
}
