package dev.userstream.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.lessThanOrEqualTo;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.userstream.shared.HttpServers;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
  private final Set<Integer> peers = ConcurrentHashMap.newKeySet();

  @Before
  public void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/ok", e -> {
      try (e) {
        HttpServers.send(e, 200, "application/json", "{\"id\":\"abc\"}".getBytes(StandardCharsets.UTF_8));
      }
    });
    server.createContext("/peer", e -> {
      try (e) {
        peers.add(e.getRemoteAddress().getPort());
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

  private ObjectNode run(List<QueryLoad.Request> requests, int rate, int seconds, int clients) throws Exception {
    return QueryLoad.run(server.getAddress(), requests, rate, seconds, clients, JsonNodeFactory.instance.objectNode());
  }

  /** 20 requests in 1 s from {@code clients} connections to a server that answers none for its first 1.5 s. */
  private ObjectNode stalledFor1500Ms(int clients) throws Exception {
    Thread releaser = new Thread(() -> {
      try {
        Thread.sleep(1500); // the stall being measured, not a wait for something to happen
      } catch (InterruptedException e) {
        return;
      }
      release.countDown();
    });
    releaser.start();
    ObjectNode out = run(List.of(new QueryLoad.Request("/stall", "abc")), 20, 1, clients);
    releaser.join();
    return out;
  }

  @Test
  public void everyRequestIsSentAndAnsweredAndChecked() throws Exception {
    ObjectNode out = run(List.of(new QueryLoad.Request("/ok", "abc"), new QueryLoad.Request("/ok?q=%C3%A9", "xyz"),
        new QueryLoad.Request("/fail", "abc")), 60, 1, 4);
    assertThat(out.get("requests").asInt(), is(60));
    assertThat(out.get("answered").asInt(), is(60));
    assertThat(out.get("errors").asInt(), is(20));
    assertThat(out.get("notInFirstPage").asInt(), is(20));
  }

  @Test
  public void aStalledServerShowsInTheLatenciesNotInAGentlerLoad() throws Exception {
    ObjectNode out = stalledFor1500Ms(32);
    // All 20 left on schedule within the second; the first waited out the whole stall.
    assertThat(out.get("achievedPerSecond").asInt(), greaterThanOrEqualTo(15));
    assertThat(out.get("maxMs").asDouble(), greaterThanOrEqualTo(1000.0));
    assertThat(out.get("errors").asInt(), is(0));
  }

  @Test
  public void theClientsKeepTheirConnections() throws Exception {
    ObjectNode out = run(List.of(new QueryLoad.Request("/peer", "abc")), 100, 1, 3);
    assertThat(out.get("answered").asInt(), is(100));
    assertThat(out.get("errors").asInt(), is(0));
    assertThat(peers.size(), lessThanOrEqualTo(3));
  }

  @Test
  public void aRequestWaitingForABusyClientCountsItsWait() throws Exception {
    // One client: the 19 requests after the stalled one wait for it.
    ObjectNode out = stalledFor1500Ms(1);
    assertThat(out.get("answered").asInt(), is(20));
    assertThat(out.get("p50Ms").asDouble(), greaterThanOrEqualTo(500.0));
  }
}
