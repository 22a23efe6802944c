package dev.userstream.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.function.DoubleSupplier;
import java.util.zip.GZIPInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of the randomuser.me API that fetches one page at a time, retrying what may succeed on
 * another attempt: HTTP 429 (honouring Retry-After), 5xx, error bodies behind a 200, HTML, truncated
 * JSON, timeouts and connection failures. Other 4xx answers and complete pages with unusable users
 * are not retried. Each request first reserves its users in the shared {@link UserBudget} and then
 * waits for the shared {@link RequestRateLimiter}. A 429 without Retry-After (the real service's
 * answer once a client's users-per-window are spent) waits out the budget's window and does not
 * count as an attempt, up to {@code maxAttempts} such waits.
 */
final class RandomUserApi {
  private static final Logger LOG = LoggerFactory.getLogger(RandomUserApi.class);

  private final String apiUrl;
  private final HttpClient client;
  private final Duration requestTimeout;
  private final RetryPolicy retry;
  private final RequestRateLimiter limiter;
  private final UserBudget budget;
  private final Sleeper sleeper;
  private final DoubleSupplier random;

  RandomUserApi(
      String apiUrl,
      Duration connectTimeout,
      Duration requestTimeout,
      RetryPolicy retry,
      RequestRateLimiter limiter,
      UserBudget budget,
      Sleeper sleeper,
      DoubleSupplier random) {
    this.apiUrl = apiUrl;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    this.requestTimeout = requestTimeout;
    this.retry = retry;
    this.limiter = limiter;
    this.budget = budget;
    this.sleeper = sleeper;
    this.random = random;
  }

  /** The production client: real waits, real jitter, the JVM-wide limiter and budget. */
  static RandomUserApi create(String apiUrl, Duration connectTimeout, Duration requestTimeout, RetryPolicy retry,
      double maxRequestsPerSecond, long usersPerWindow, Duration window) {
    return new RandomUserApi(
        apiUrl, connectTimeout, requestTimeout, retry, RequestRateLimiter.shared(apiUrl, maxRequestsPerSecond),
        UserBudget.shared(apiUrl, usersPerWindow, window), Sleeper.REAL, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** Fetches {@code request}, retrying within the policy; fails naming the page and the last error. */
  FetchedPage fetch(PageRequest request) throws PageFetchException, InterruptedException {
    HttpRequest http =
        HttpRequest.newBuilder(request.uri(apiUrl))
            .header("Accept", "application/json")
            .header("Accept-Encoding", "gzip")
            .header("User-Agent", "userstream-ingest")
            .GET()
            .build();
    String lastError = "";
    int windowWaits = 0;
    for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
      Duration budgetWait = budget.reserve(request.results());
      if (!budgetWait.isZero()) {
        LOG.info("{}: waiting {} s: {} users per {} s is the API's budget for this client (--apiUsersPerWindow,"
            + " --apiWindowSeconds), and the last {} s have used it", request, seconds(budgetWait),
            budget.usersPerWindow(), budget.window().toSeconds(), budget.window().toSeconds());
        sleeper.sleep(budgetWait);
      }
      limiter.acquire(sleeper);
      Optional<Duration> retryAfter = Optional.empty();
      try {
        HttpResponse<byte[]> response = send(http);
        byte[] body = decoded(response);
        int status = response.statusCode();
        if (status == 200) {
          List<ApiUser> users = PageParser.parse(body);
          return new FetchedPage(request, users, Instant.now().truncatedTo(ChronoUnit.MICROS), attempt, body.length);
        }
        lastError = "HTTP " + status + " " + response.headers().firstValue("Content-Type").orElse("")
            + ": " + PageParser.excerpt(body);
        if (status == 429) {
          retryAfter = RetryPolicy.parseRetryAfter(response.headers().firstValue("Retry-After").orElse(null), Instant.now());
          if (retryAfter.isEmpty() && windowWaits < retry.maxAttempts()) {
            // The service's per-client window is spent (by another client on this address, or a
            // budget set above the service's): only its passing helps, so wait it out.
            windowWaits++;
            LOG.warn("{}: {}, with no Retry-After: the API's users-per-window limit for this client is reached;"
                + " waiting {} s (--apiWindowSeconds) for the window to pass, then asking again ({} of at most {}"
                + " such waits)", request, lastError, budget.window().toSeconds(), windowWaits, retry.maxAttempts());
            sleeper.sleep(budget.window());
            attempt--;
            continue;
          }
        } else if (status < 500) {
          throw new PageFetchException(request + " from " + apiUrl + " was refused, not retried: " + lastError);
        }
      } catch (PageFetchException notRetryable) {
        throw notRetryable; // an IOException too, but final
      } catch (BadResponseException e) {
        lastError = e.getMessage();
        if (!e.retryable()) {
          throw new PageFetchException(request + " from " + apiUrl + " is unusable, not retried: " + lastError);
        }
      } catch (TimeoutException e) {
        lastError = "no complete answer within " + requestTimeout.toMillis() + " ms";
      } catch (IOException e) {
        lastError = describe(e);
      }
      if (attempt < retry.maxAttempts()) {
        Duration wait = retry.backoff(attempt, retryAfter, random);
        LOG.warn("{}: attempt {}/{} failed ({}); retrying in {} ms",
            request, attempt, retry.maxAttempts(), lastError, wait.toMillis());
        sleeper.sleep(wait);
      }
    }
    throw new PageFetchException(
        request + " from " + apiUrl + " failed after " + retry.maxAttempts() + " attempts; last error: " + lastError);
  }

  /** Sends with a deadline on the whole exchange, body included (a request timeout covers only headers). */
  private HttpResponse<byte[]> send(HttpRequest http) throws IOException, TimeoutException, InterruptedException {
    CompletableFuture<HttpResponse<byte[]>> future = client.sendAsync(http, HttpResponse.BodyHandlers.ofByteArray());
    try {
      return future.get(requestTimeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException(cause);
    }
  }

  private static byte[] decoded(HttpResponse<byte[]> response) throws IOException {
    boolean gzip = response.headers().firstValue("Content-Encoding").map(v -> v.equalsIgnoreCase("gzip")).orElse(false);
    if (!gzip) {
      return response.body();
    }
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
      return in.readAllBytes();
    }
  }

  private static String seconds(Duration d) {
    return String.format("%.1f", d.toMillis() / 1000.0);
  }

  private static String describe(IOException e) {
    if (e instanceof ConnectException) {
      return "cannot connect (nothing listening, or a firewall)";
    }
    String what = e.getClass().getSimpleName();
    String message = e.getMessage() == null && e.getCause() != null ? e.getCause().toString() : e.getMessage();
    return message == null ? what : what + ": " + message;
  }
}
