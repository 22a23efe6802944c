package dev.userstream.bench;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.userstream.shared.Percentiles;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed offered load of GET requests, open loop: request i is due at its scheduled time whatever
 * the earlier ones are doing, and its latency counts from that time, so a stall shows in the
 * percentiles instead of slowing the load down. {@code clients} connections (HTTP/1.1, kept alive)
 * take the due requests in turn; when all are busy, a due request waits for one, and that wait is
 * part of its latency.
 *
 * <p>The client is a few lines over a socket, not {@code java.net.http.HttpClient}: that one spent
 * about 1 ms of CPU per request here, as much as the API and Cassandra together, on the same two
 * cores whose latency it measures.
 */
final class QueryLoad {
  /** One request (path and query, already encoded) and the text its answer must hold. */
  record Request(String target, String expect) {}

  static final int TIMEOUT_MILLIS = 10_000;
  private static final int NOT_ANSWERED = -1;

  private QueryLoad() {}

  /**
   * Offers {@code rate} requests/s to {@code api}, cycling through {@code requests}, for
   * {@code seconds}; then waits for the answers. An answer that is not a 200, or none within 10 s,
   * is an error; a 200 without its expected text is counted apart.
   */
  static ObjectNode run(InetSocketAddress api, List<Request> requests, int rate, int seconds, int clients,
      ObjectNode out) throws InterruptedException {
    int total = rate * seconds;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    AtomicLongArray micros = new AtomicLongArray(total);
    for (int i = 0; i < total; i++) {
      micros.set(i, NOT_ANSWERED);
    }
    AtomicInteger errors = new AtomicInteger(); // answers that are not a 200
    AtomicInteger unexpected = new AtomicInteger();
    BlockingQueue<Integer> due = new ArrayBlockingQueue<>(total + clients);
    List<Thread> workers = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      Thread worker = new Thread(() -> {
        Connection connection = new Connection(api);
        try {
          for (int i = due.take(); i >= 0; i = due.take()) {
            Request r = requests.get(i % requests.size());
            try {
              Response response = connection.get(r.target());
              micros.set(i, (System.nanoTime() - dueAt(start, i, rate)) / 1000);
              if (response.status() != 200) {
                errors.incrementAndGet();
              } else if (!response.body().contains(r.expect())) {
                unexpected.incrementAndGet();
              }
            } catch (IOException e) {
              // Not answered: counted as an error below.
              connection.close();
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          connection.close();
        }
      }, "bench-query-client-" + c);
      worker.setDaemon(true);
      worker.start();
      workers.add(worker);
    }
    for (int i = 0; i < total; i++) {
      long wait = dueAt(start, i, rate) - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
      }
      due.add(i);
    }
    double offeredSeconds = (System.nanoTime() - start) / 1e9;
    for (int c = 0; c < clients; c++) {
      due.add(-1);
    }
    // Everything still queued or in flight has at most the timeout, plus the queue's own wait.
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS) * (1 + due.size() / Math.max(1, clients));
    for (Thread worker : workers) {
      worker.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      worker.interrupt();
    }
    long[] sorted = new long[total];
    int answered = 0;
    for (int i = 0; i < total; i++) {
      if (micros.get(i) != NOT_ANSWERED) {
        sorted[answered++] = micros.get(i);
      }
    }
    if (answered == 0) {
      throw new IllegalStateException("none of " + total + " requests was answered (first: http://"
          + api.getHostString() + ":" + api.getPort() + requests.get(0).target() + ")");
    }
    sorted = java.util.Arrays.copyOf(sorted, answered);
    java.util.Arrays.sort(sorted);
    return out.put("offeredPerSecond", rate).put("seconds", seconds).put("clients", clients).put("requests", total)
        .put("achievedPerSecond", Math.round(total / offeredSeconds)).put("answered", answered)
        .put("errors", errors.get() + total - answered)
        .put("notInFirstPage", unexpected.get())
        .put("p50Ms", ms(Percentiles.of(sorted, 50))).put("p95Ms", ms(Percentiles.of(sorted, 95)))
        .put("p99Ms", ms(Percentiles.of(sorted, 99)))
        .put("maxMs", ms(sorted[sorted.length - 1]));
  }

  private static long dueAt(long start, int i, int rate) {
    return start + (long) (i * 1e9 / rate);
  }

  private static double ms(long micros) {
    return Math.round(micros / 100.0) / 10.0;
  }

  record Response(int status, String body) {}

  /** One kept-alive HTTP/1.1 connection, opened again after a failure. */
  static final class Connection {
    private final InetSocketAddress api;
    private final byte[] hostHeader;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    Connection(InetSocketAddress api) {
      this.api = api;
      this.hostHeader = ("\r\nHost: " + api.getHostString() + ":" + api.getPort() + "\r\n\r\n").getBytes(ISO_8859_1);
    }

    Response get(String target) throws IOException {
      if (socket == null) {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.connect(api, TIMEOUT_MILLIS);
        in = new BufferedInputStream(socket.getInputStream(), 16384);
        out = socket.getOutputStream();
      }
      byte[] line = ("GET " + target + " HTTP/1.1").getBytes(ISO_8859_1);
      byte[] request = new byte[line.length + hostHeader.length];
      System.arraycopy(line, 0, request, 0, line.length);
      System.arraycopy(hostHeader, 0, request, line.length, hostHeader.length);
      out.write(request);
      out.flush();
      String status = readLine();
      if (!status.startsWith("HTTP/1.1 ") || status.length() < 12) {
        throw new IOException("not an HTTP/1.1 status line: " + status);
      }
      int length = -1;
      boolean close = false;
      for (String header = readLine(); !header.isEmpty(); header = readLine()) {
        int colon = header.indexOf(':');
        String name = colon < 0 ? header : header.substring(0, colon).trim();
        String value = colon < 0 ? "" : header.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("Content-Length")) {
          length = Integer.parseInt(value);
        } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
          close = true;
        } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
          throw new IOException("a response without Content-Length is not expected from the API");
        }
      }
      if (length < 0) {
        throw new IOException("a response without Content-Length is not expected from the API");
      }
      byte[] body = in.readNBytes(length);
      if (body.length < length) {
        throw new EOFException("the connection closed in a response's body");
      }
      if (close) {
        close();
      }
      return new Response(Integer.parseInt(status.substring(9, 12)), new String(body, UTF_8));
    }

    private String readLine() throws IOException {
      StringBuilder line = new StringBuilder(64);
      for (int b = in.read(); b != '\n'; b = in.read()) {
        if (b < 0) {
          throw new EOFException("the connection closed in a response's headers");
        }
        if (b != '\r') {
          line.append((char) b);
        }
      }
      return line.toString();
    }

    void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // Closing a connection that failed: nothing more to learn from it.
        }
        socket = null;
      }
    }
  }
}
