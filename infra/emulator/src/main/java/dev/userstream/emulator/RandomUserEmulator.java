package dev.userstream.emulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local randomuser.me API 1.4: {@code GET /api/} and {@code /api/1.4/} with results, page,
 * seed, nat, gender, inc, exc and noinfo (docs/RANDOMUSER-API.md). It can limit users per client
 * and window as the real service does (see {@link #admit}) and can be told to fail on purpose, from tests in-process
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
 * --port=18500 [--usersPerWindow=20000 --windowSeconds=300]}.
 */
public final class RandomUserEmulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RandomUserEmulator.class);
  static final String ERROR_BODY = "{\"error\":\"Uh oh, something has gone wrong. Please tweet us @randomapi about the issue. Thank you.\"}";
  /** A proxy's rate limit, with Retry-After: the injected {@link Fault#RATE_LIMITED}. */
  static final String RATE_LIMIT_BODY = "{\"error\":\"Whoa, slow down there! You have reached the request limit.\"}";

  private final HttpServer server;
  private final ExecutorService executor;
  private final Deque<QueuedFault> faults = new ArrayDeque<>();
  private final long maxUsersPerWindow;
  private final long windowNanos;
  private volatile long slowDelayMillis = 2000;
  /** Per client address: {window start in nanos, users asked for in it}. Guarded by itself. */
  private final Map<String, long[]> windows = new HashMap<>();

  private RandomUserEmulator(
      HttpServer server, ExecutorService executor, long maxUsersPerWindow, long windowNanos) {
    this.server = server;
    this.executor = executor;
    this.maxUsersPerWindow = maxUsersPerWindow;
    this.windowNanos = windowNanos;
  }

  /** Starts on 127.0.0.1:{@code port} (0 for any free port) with no limit on users. */
  public static RandomUserEmulator start(int port) throws IOException {
    return start(port, Long.MAX_VALUE, 1_000_000_000L);
  }

  /** Starts with the real service's limit: {@code maxUsers} per client per window (see {@link #admit}). */
  public static RandomUserEmulator start(int port, long maxUsers, long windowNanos) throws IOException {
    return start("127.0.0.1", port, maxUsers, windowNanos);
  }

  /** As above on {@code host} (0.0.0.0 inside a container; 127.0.0.1 anywhere else). */
  static RandomUserEmulator start(String host, int port, long maxUsers, long windowNanos) throws IOException {
    // As a real web server does: without TCP_NODELAY the JDK's server holds each response's body
    // until the client ACKs its headers, 40 ms on a kept-alive connection (the project's own servers
    // get it from dev.userstream.shared.HttpServers, which this fake upstream does not depend on).
    System.setProperty("sun.net.httpserver.nodelay", "true");
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
      if (fault == Fault.RATE_LIMITED) {
        ex.getResponseHeaders().set("Retry-After", "1");
        send(ex, 429, "application/json", RATE_LIMIT_BODY.getBytes(StandardCharsets.UTF_8));
        return;
      }
      long refusedAt = fault == null ? admit(ex.getRemoteAddress().getAddress().getHostAddress(), q.results) : -1;
      if (refusedAt >= 0) {
        send(ex, 429, "application/json", windowSpentBody(refusedAt).getBytes(StandardCharsets.UTF_8));
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

  /**
   * The real service's limit (its public source): users are counted per client address in a window
   * that starts with the client's first request; a request is refused once the count has reached
   * the limit (the request that crosses it is still served), with HTTP 429, a JSON error and no
   * Retry-After. Returns -1 if admitted, else the users counted so far.
   */
  private long admit(String client, int users) {
    synchronized (windows) {
      long now = System.nanoTime();
      long[] w = windows.computeIfAbsent(client, c -> new long[] {now, 0});
      if (now - w[0] >= windowNanos) {
        w[0] = now;
        w[1] = 0;
      }
      if (w[1] >= maxUsersPerWindow) {
        return w[1];
      }
      w[1] += users;
      return -1;
    }
  }

  private String windowSpentBody(long users) {
    return "{\"error\":\"Whoa, ease up there cowboy. You've requested " + users + " users in the last "
        + TimeUnit.NANOSECONDS.toSeconds(windowNanos) + " seconds. Help us keep this service free and spare some"
        + " bandwidth for other users please :)\"}";
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

  /** The emulator's options; {@code --help} lists them. */
  public interface Options extends PipelineOptions {
    @Description("Address to listen on")
    @Default.String("127.0.0.1")
    String getHost();

    void setHost(String value);

    @Description("Port to listen on (the local stack's: 18500)")
    @Default.Integer(18500)
    int getPort();

    void setPort(int value);

    @Description("Users each client may fetch per window, then HTTP 429 as from the real service (20000); 0: no limit")
    @Default.Long(0)
    long getUsersPerWindow();

    void setUsersPerWindow(long value);

    @Description("The window of --usersPerWindow, s")
    @Default.Long(300)
    long getWindowSeconds();

    void setWindowSeconds(long value);
  }

  public static void main(String[] args) throws Exception {
    // The way every main of the project reads options (as pipelines' CommandLine.settings, which this module,
    // a stand-in for a third-party API that the pipelines' tests use, does not depend on).
    if (Arrays.asList(args).contains("--help")) {
      PipelineOptionsFactory.printHelp(System.out, Options.class);
      return;
    }
    PipelineOptionsFactory.register(Options.class);
    Options o = PipelineOptionsFactory.fromArgs(args).as(Options.class);
    long limit = o.getUsersPerWindow();
    RandomUserEmulator emulator = start(o.getHost(), o.getPort(), limit == 0 ? Long.MAX_VALUE : limit,
        TimeUnit.SECONDS.toNanos(o.getWindowSeconds()));
    LOG.info("randomuser.me emulator listening at {} ({})", emulator.baseUrl(),
        limit == 0 ? "no limit on users" : limit + " users per client per " + o.getWindowSeconds() + " s, then HTTP 429");
    Thread.currentThread().join();
  }
}
