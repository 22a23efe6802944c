package dev.userstream.emulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local randomuser.me API 1.4: {@code GET /api/} and {@code /api/1.4/} with results, page,
 * seed, nat, gender, inc, exc and noinfo (shared/randomuser-api.md). It rate-limits like the real
 * service (HTTP 429 with a JSON error) and can be told to fail on purpose, from tests in-process
 * ({@link #inject}) or over HTTP ({@code POST /__admin/faults?fault=SLOW&times=2[&page=3]}, {@code DELETE
 * /__admin/faults}).
 *
 * <pre>{@code
 * try (RandomUserEmulator api = RandomUserEmulator.start(0)) {   // 0: any free port
 *   api.inject(Fault.ERROR_BODY, 2);                             // the next two requests fail
 *   String url = api.baseUrl();                                  // http://127.0.0.1:PORT/api/
 * }
 * }</pre>
 *
 * Run it: {@code java -cp userstream-emulator.jar dev.userstream.emulator.RandomUserEmulator
 * --port=18500 [--maxUsersPerSecond=N]}.
 */
public final class RandomUserEmulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RandomUserEmulator.class);
  static final String ERROR_BODY = "{\"error\":\"Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you.\"}";
  static final String RATE_LIMIT_BODY = "{\"error\":\"Whoa, slow down there! You have reached the request limit.\"}";

  private final HttpServer server;
  private final ExecutorService executor;
  private final Deque<QueuedFault> faults = new ArrayDeque<>();
  private final long maxUsersPerWindow;
  private final long windowNanos;
  private volatile long slowDelayMillis = 2000;
  private long windowStart;
  private long usersInWindow;

  private RandomUserEmulator(
      HttpServer server, ExecutorService executor, long maxUsersPerWindow, long windowNanos) {
    this.server = server;
    this.executor = executor;
    this.maxUsersPerWindow = maxUsersPerWindow;
    this.windowNanos = windowNanos;
    this.windowStart = System.nanoTime();
  }

  /** Starts on 127.0.0.1:{@code port} (0 for any free port) with no rate limit to speak of. */
  public static RandomUserEmulator start(int port) throws IOException {
    return start(port, Long.MAX_VALUE);
  }

  /** Starts with a limit of {@code maxUsersPerSecond} users served per second. */
  public static RandomUserEmulator start(int port, long maxUsersPerSecond) throws IOException {
    return start(port, maxUsersPerSecond, 1_000_000_000L);
  }

  /** As above with a window of any length, so tests do not depend on the clock. */
  static RandomUserEmulator start(int port, long maxUsers, long windowNanos) throws IOException {
    return start("127.0.0.1", port, maxUsers, windowNanos);
  }

  /** As above on {@code host} (0.0.0.0 inside a container; 127.0.0.1 anywhere else). */
  static RandomUserEmulator start(String host, int port, long maxUsers, long windowNanos) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
    ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
      Thread t = new Thread(r, "randomuser-emulator");
      t.setDaemon(true);
      return t;
    });
    RandomUserEmulator emulator = new RandomUserEmulator(server, executor, maxUsers, windowNanos);
    server.createContext("/api/", emulator::api);
    server.createContext("/__admin/faults", emulator::admin);
    server.setExecutor(executor);
    server.start();
    return emulator;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The API's URL, as the ingestion pipeline's apiUrl option takes it. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + "/api/";
  }

  /** The next {@code times} requests to the API fail with {@code fault}, after those already queued. */
  public void inject(Fault fault, int times) {
    inject(fault, times, ANY_PAGE);
  }

  /** The next {@code times} requests for {@code page} (any seed) fail with {@code fault}. */
  public void inject(Fault fault, int times, int page) {
    synchronized (faults) {
      for (int i = 0; i < times; i++) {
        faults.add(new QueuedFault(fault, page));
      }
    }
  }

  private static final int ANY_PAGE = 0;

  private record QueuedFault(Fault fault, int page) {}

  /** Takes the first queued fault that applies to {@code page}, or null. */
  private Fault takeFault(int page) {
    synchronized (faults) {
      for (java.util.Iterator<QueuedFault> it = faults.iterator(); it.hasNext(); ) {
        QueuedFault f = it.next();
        if (f.page() == ANY_PAGE || f.page() == page) {
          it.remove();
          return f.fault();
        }
      }
      return null;
    }
  }

  public void clearFaults() {
    synchronized (faults) {
      faults.clear();
    }
  }

  /** How long a {@link Fault#SLOW} answer waits. */
  public void slowDelayMillis(long millis) {
    this.slowDelayMillis = millis;
  }

  private void api(HttpExchange ex) throws IOException {
    try (ex) {
      Query q = Query.parse(ex.getRequestURI().getRawQuery());
      Fault fault = takeFault(q.page);
      if (fault == Fault.RATE_LIMITED || (fault == null && !admit(q.results))) {
        ex.getResponseHeaders().set("Retry-After", "1");
        send(ex, 429, "application/json", RATE_LIMIT_BODY.getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (fault == Fault.ERROR_BODY) {
        send(ex, 200, "application/json", ERROR_BODY.getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (fault == Fault.BAD_GATEWAY_HTML) {
        send(ex, 502, "text/html", "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>".getBytes(StandardCharsets.UTF_8));
        return;
      }
      if (fault == Fault.SLOW) {
        Thread.sleep(slowDelayMillis);
      }
      byte[] body = UserGenerator.page(q);
      if (fault == Fault.TRUNCATED) {
        // Promise the whole page, send half, and close: what a dropped connection looks like.
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(200, body.length);
        OutputStream out = ex.getResponseBody();
        out.write(body, 0, body.length / 2);
        out.flush();
        return;
      }
      send(ex, 200, "application/json; charset=utf-8", body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException | RuntimeException e) {
      LOG.warn("Request {} failed", ex.getRequestURI(), e);
    }
  }

  /** A window of users served; a page that would exceed the limit is refused. */
  private synchronized boolean admit(int users) {
    long now = System.nanoTime();
    if (now - windowStart > windowNanos) {
      windowStart = now;
      usersInWindow = 0;
    }
    if (usersInWindow + users > maxUsersPerWindow) {
      return false;
    }
    usersInWindow += users;
    return true;
  }

  private void admin(HttpExchange ex) throws IOException {
    try (ex) {
      if ("DELETE".equals(ex.getRequestMethod())) {
        clearFaults();
        send(ex, 204, "application/json", new byte[0]);
        return;
      }
      String raw = ex.getRequestURI().getRawQuery();
      String fault = null;
      int times = 1;
      int page = ANY_PAGE;
      if (raw != null) {
        for (String pair : raw.split("&")) {
          String[] kv = pair.split("=", 2);
          if (kv.length == 2 && kv[0].equals("fault")) {
            fault = kv[1];
          } else if (kv.length == 2 && kv[0].equals("times")) {
            times = Integer.parseInt(kv[1]);
          } else if (kv.length == 2 && kv[0].equals("page")) {
            page = Integer.parseInt(kv[1]);
          } else if (kv.length == 2 && kv[0].equals("delayMillis")) {
            slowDelayMillis(Long.parseLong(kv[1]));
          }
        }
      }
      try {
        inject(Fault.valueOf(String.valueOf(fault)), times, page);
        send(ex, 200, "application/json", ("{\"queued\":" + times + "}").getBytes(StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        send(ex, 400, "application/json", ("{\"error\":\"fault must be one of " + java.util.Arrays.toString(Fault.values()) + "\"}").getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      ex.getResponseBody().write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  public static void main(String[] args) throws Exception {
    int port = 18500;
    long limit = Long.MAX_VALUE;
    String host = "127.0.0.1";
    for (String a : args) {
      if (a.startsWith("--host=")) {
        host = a.substring(7);
      } else if (a.startsWith("--port=")) {
        port = Integer.parseInt(a.substring(7));
      } else if (a.startsWith("--maxUsersPerSecond=")) {
        limit = Long.parseLong(a.substring(20));
      } else {
        throw new IllegalArgumentException("unknown argument '" + a + "'; usage: RandomUserEmulator --port=N [--maxUsersPerSecond=N] [--host=127.0.0.1]");
      }
    }
    RandomUserEmulator emulator = start(host, port, limit, 1_000_000_000L);
    LOG.info("randomuser.me emulator listening at {}", emulator.baseUrl());
    Thread.currentThread().join();
  }
}
