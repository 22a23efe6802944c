package dev.userstream.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.userstream.shared.HttpServers;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The offered load is what was asked for; wrong answers are counted; a stall shows in the latencies. */
public class QueryLoadTest {
  private HttpServer server;
  private final CountDownLatch release = new CountDownLatch(1);

  @Before
  public void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/ok", e -> {
      try (e) {
        HttpServers.send(e, 200, "application/json", "{\"id\":\"abc\"}".getBytes(StandardCharsets.UTF_8));
      }
    });
    server.createContext("/fail", e -> {
      try (e) {
        HttpServers.send(e, 500, "application/json", "{}".getBytes(StandardCharsets.UTF_8));
      }
    });
    // Answers only once released: an open-loop load keeps sending meanwhile.
    server.createContext("/stall", e -> {
      try (e) {
        release.await(5, TimeUnit.SECONDS);
        HttpServers.send(e, 200, "application/json", "{\"id\":\"abc\"}".getBytes(StandardCharsets.UTF_8));
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(64));
    server.start();
  }

  @After
  public void stop() {
    server.stop(0);
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private ObjectNode run(List<QueryLoad.Request> requests, int rate, int seconds) throws Exception {
    return QueryLoad.run(HttpClient.newHttpClient(), requests, rate, seconds, JsonNodeFactory.instance.objectNode());
  }

  @Test
  public void everyRequestIsSentAndAnsweredAndChecked() throws Exception {
    ObjectNode out = run(List.of(new QueryLoad.Request(uri("/ok"), "abc"), new QueryLoad.Request(uri("/ok"), "xyz"),
        new QueryLoad.Request(uri("/fail"), "abc")), 60, 1);
    assertThat(out.get("requests").asInt(), is(60));
    assertThat(out.get("answered").asInt(), is(60));
    assertThat(out.get("errors").asInt(), is(20));
    assertThat(out.get("notInFirstPage").asInt(), is(20));
  }

  @Test
  public void aStalledServerShowsInTheLatenciesNotInAGentlerLoad() throws Exception {
    Thread releaser = new Thread(() -> {
      try {
        Thread.sleep(1500);
      } catch (InterruptedException e) {
        return;
      }
      release.countDown();
    });
    releaser.start();
    ObjectNode out = run(List.of(new QueryLoad.Request(uri("/stall"), "abc")), 20, 1);
    releaser.join();
    // All 20 left on schedule within the second; the first waited out the whole stall.
    assertThat(out.get("achievedPerSecond").asInt(), greaterThanOrEqualTo(15));
    assertThat(out.get("maxMs").asDouble(), greaterThanOrEqualTo(1000.0));
    assertThat(out.get("errors").asInt(), is(0));
  }
}
