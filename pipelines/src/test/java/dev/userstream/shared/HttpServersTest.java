package dev.userstream.shared;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.is;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import org.junit.Test;

public class HttpServersTest {
  /** Without TCP_NODELAY every kept-alive response waits ~40 ms for the client's delayed ACK. */
  @Test
  public void serversAcceptConnectionsWithoutNaglesDelay() throws Exception {
    HttpServer server = HttpServers.create(new InetSocketAddress("127.0.0.1", 0), 8);
    try {
      assertThat(System.getProperty(HttpServers.NO_DELAY_PROPERTY), is("true"));
    } finally {
      server.stop(0);
    }
  }
}
