package dev.userstream.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.userstream.shared.Percentiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed offered load of GET requests, open loop: request i leaves at its scheduled time whatever
 * the earlier ones are doing (as many clients at once as that takes), and its latency counts from
 * that time, so a stall shows in the percentiles instead of slowing the load down.
 */
final class QueryLoad {
  /** One request and the text its answer must hold (the profile id asked for). */
  record Request(URI uri, String expect) {}

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private QueryLoad() {}

  /**
   * Offers {@code rate} requests/s, cycling through {@code requests}, for {@code seconds}; then waits
   * for the answers. An answer that is not a 200 holding its expected text, or none within 10 s, is
   * an error.
   */
  static ObjectNode run(HttpClient http, List<Request> requests, int rate, int seconds, ObjectNode out)
      throws InterruptedException {
    int total = rate * seconds;
    ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
    AtomicInteger errors = new AtomicInteger();
    AtomicInteger notFound = new AtomicInteger();
    List<CompletableFuture<?>> pending = new ArrayList<>(total);
    long start = System.nanoTime();
    for (int i = 0; i < total; i++) {
      long due = start + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      Request r = requests.get(i % requests.size());
      pending.add(http.sendAsync(HttpRequest.newBuilder(r.uri()).timeout(TIMEOUT).build(),
              HttpResponse.BodyHandlers.ofString())
          .whenComplete((response, failure) -> {
            micros.add((System.nanoTime() - due) / 1000);
            if (failure != null || response.statusCode() != 200) {
              errors.incrementAndGet();
            } else if (!response.body().contains(r.expect())) {
              notFound.incrementAndGet();
            }
          }));
    }
    double offeredSeconds = (System.nanoTime() - start) / 1e9;
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(TIMEOUT.toSeconds() + 5, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      // Counted per request above.
    }
    long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
    if (sorted.length == 0) {
      throw new IllegalStateException("none of " + total + " requests was answered (first: " + requests.get(0).uri() + ")");
    }
    return out.put("offeredPerSecond", rate).put("seconds", seconds).put("requests", total)
        .put("achievedPerSecond", Math.round(total / offeredSeconds)).put("answered", sorted.length)
        .put("errors", errors.get() + (total - sorted.length)).put("notInFirstPage", notFound.get())
        .put("p50Ms", ms(Percentiles.of(sorted, 50))).put("p95Ms", ms(Percentiles.of(sorted, 95)))
        .put("p99Ms", ms(Percentiles.of(sorted, 99)))
        .put("maxMs", ms(sorted[sorted.length - 1]));
  }

  private static double ms(long micros) {
    return Math.round(micros / 100.0) / 10.0;
  }
}
