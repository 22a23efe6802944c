package dev.userstream.ingest;

import java.io.Serializable;
import java.time.Duration;

/** How to reach the API: URL, timeouts, retry policy and the request rate bound. */
record FetchSettings(
    String apiUrl, Duration connectTimeout, Duration requestTimeout, RetryPolicy retry, double maxRequestsPerSecond)
    implements Serializable {

  FetchSettings {
    if (apiUrl == null || !(apiUrl.startsWith("http://") || apiUrl.startsWith("https://"))) {
      throw new IllegalArgumentException("apiUrl must be an http(s) URL, was " + apiUrl);
    }
    if (!(maxRequestsPerSecond > 0)) {
      throw new IllegalArgumentException("maxRequestsPerSecond must be > 0, was " + maxRequestsPerSecond);
    }
  }

  RandomUserApi client() {
    return RandomUserApi.create(apiUrl, connectTimeout, requestTimeout, retry, maxRequestsPerSecond);
  }
}
