package dev.userstream.shared;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.sameInstance;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * {@link SharedClients}: one client per key however many leases, closed once it has had no lease
 * for the idle period, and kept when a lease comes back within it (as the next micro-batch's does).
 */
@RunWith(JUnit4.class)
public class SharedClientsTest {
  private static final long IDLE_MILLIS = 100;

  private static final class Client {
    final String key;

    Client(String key) {
      this.key = key;
    }
  }

  private final List<Client> opened = new CopyOnWriteArrayList<>();
  private final List<Client> closed = new CopyOnWriteArrayList<>();
  private final SharedClients<String, Client> clients =
      new SharedClients<>("test client", key -> {
        Client c = new Client(key);
        opened.add(c);
        return c;
      }, closed::add, IDLE_MILLIS);

  @Test
  public void leasesOfOneKeyShareOneClientAndOtherKeysGetTheirOwn() {
    try (SharedClients.Lease<Client> a = clients.lease("cassandra-1");
        SharedClients.Lease<Client> b = clients.lease("cassandra-1");
        SharedClients.Lease<Client> c = clients.lease("cassandra-2")) {
      assertThat(a.client(), sameInstance(b.client()));
      assertThat(c.client(), not(sameInstance(a.client())));
      assertThat(opened.size(), equalTo(2));
    }
  }

  @Test
  public void theClientIsClosedOnceItHasHadNoLeaseForTheIdlePeriod() {
    SharedClients.Lease<Client> a = clients.lease("k");
    SharedClients.Lease<Client> b = clients.lease("k");
    a.close();
    b.close();

    awaitTrue("the idle client to be closed", () -> !closed.isEmpty());
    assertThat(closed, contains(a.client()));
    try (SharedClients.Lease<Client> again = clients.lease("k")) {
      assertThat("a closed client is never handed out again", again.client(), not(sameInstance(a.client())));
    }
  }

  @Test
  public void aLeaseWithinTheIdlePeriodKeepsTheClient() throws InterruptedException {
    // A long idle period: the next lease must come within it even on a machine that stalls.
    SharedClients<String, Client> patient = new SharedClients<>("test client", key -> {
      Client c = new Client(key);
      opened.add(c);
      return c;
    }, closed::add, 5_000);
    SharedClients.Lease<Client> first = patient.lease("k");
    first.close();
    SharedClients.Lease<Client> next = patient.lease("k");

    assertThat(next.client(), sameInstance(first.client()));
    // A negative check: the idle close scheduled by the first release must not take the held client.
    TimeUnit.MILLISECONDS.sleep(3 * IDLE_MILLIS);
    assertThat(closed, empty());
    next.close();
    awaitTrue("the client to be closed after its last lease", () -> !closed.isEmpty());
    assertThat(opened.size(), equalTo(1));
  }

  @Test
  public void closingALeaseTwiceReleasesItOnce() throws InterruptedException {
    SharedClients.Lease<Client> held = clients.lease("k");
    SharedClients.Lease<Client> twice = clients.lease("k");
    twice.close();
    twice.close();

    // A negative check: had the second close released the held lease, the client would go.
    TimeUnit.MILLISECONDS.sleep(3 * IDLE_MILLIS);
    assertThat(closed, empty());
    held.close();
    awaitTrue("the client to be closed after its last lease", () -> !closed.isEmpty());
  }

  private static void awaitTrue(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
