package dev.userstream.ingest;

import java.io.Serializable;
import java.time.Duration;

/**
 * How to reach the API: URL, timeouts, retry policy, the request rate bound and the budget of
 * users per window ({@code usersPerWindow} 0: none).
 */
record FetchSettings(String apiUrl, Duration connectTimeout, Duration requestTimeout, RetryPolicy retry,
    double maxRequestsPerSecond, long usersPerWindow, Duration window) implements Serializable {

  FetchSettings {
    if (apiUrl == null || !(apiUrl.startsWith("http://") || apiUrl.startsWith("https://"))) {
      throw new IllegalArgumentException("apiUrl must be an http(s) URL, was " + apiUrl);
    }
    if (!(maxRequestsPerSecond > 0)) {
      throw new IllegalArgumentException("maxRequestsPerSecond must be > 0, was " + maxRequestsPerSecond);
    }
    if (usersPerWindow < 0) {
      throw new IllegalArgumentException("apiUsersPerWindow must be >= 0 (0: no budget), was " + usersPerWindow);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("apiWindowSeconds must be > 0, was " + window.toSeconds());
    }
  }

  RandomUserApi client() {
    return RandomUserApi.create(
        apiUrl, connectTimeout, requestTimeout, retry, maxRequestsPerSecond, usersPerWindow, window);
  }
}
