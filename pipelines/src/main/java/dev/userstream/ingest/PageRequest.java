package dev.userstream.ingest;

import java.io.Serializable;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/** One page of one seed: what to ask the API for. */
record PageRequest(String seed, int page, int results, String nat) implements Serializable {

  URI uri(String apiUrl) {
    StringBuilder q = new StringBuilder(apiUrl).append(apiUrl.contains("?") ? '&' : '?');
    q.append("results=").append(results).append("&page=").append(page);
    q.append("&seed=").append(URLEncoder.encode(seed, StandardCharsets.UTF_8));
    if (nat != null && !nat.isBlank()) {
      q.append("&nat=").append(URLEncoder.encode(nat, StandardCharsets.UTF_8));
    }
    return URI.create(q.toString());
  }

  @Override
  public String toString() {
    return "page " + page + " (seed '" + seed + "', " + results + " results"
        + (nat == null || nat.isBlank() ? "" : ", nat " + nat) + ")";
  }
}
