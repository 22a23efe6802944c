package dev.userstream.shared;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client per JVM and key (an endpoint, a configuration), shared by every DoFn instance that
 * leases it, and closed only after it has had no lease for an idle period.
 *
 * <p>Why: the Spark runner sets up and tears down DoFns for every partition of every micro-batch,
 * so a DoFn that owns its connections reconnects several times a second. Here {@code @Setup}
 * leases and {@code @Teardown} returns the lease; the next micro-batch leases again long before
 * the idle period ends. The clients must be thread-safe: DoFn instances run in parallel.
 *
 * @param <K> what identifies a client (equal keys share one client)
 * @param <C> the client
 */
public final class SharedClients<K, C> {
  private static final Logger LOG = LoggerFactory.getLogger(SharedClients.class);
  private static final ScheduledExecutorService CLOSER =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "shared-client-closer");
            t.setDaemon(true);
            return t;
          });

  private final String kind;
  private final Function<K, C> open;
  private final Consumer<C> close;
  private final long idleCloseMillis;
  private final Map<K, Entry<K, C>> entries = new HashMap<>();

  public SharedClients(String kind, Function<K, C> open, Consumer<C> close, long idleCloseMillis) {
    this.kind = kind;
    this.open = open;
    this.close = close;
    this.idleCloseMillis = idleCloseMillis;
  }

  /** Leases the key's client, opening it on first use. Close the lease when done. */
  public Lease<C> lease(K key) {
    synchronized (entries) {
      Entry<K, C> entry = entries.get(key);
      if (entry == null) {
        entry = new Entry<>(key, open.apply(key));
        entries.put(key, entry);
      }
      entry.leases++;
      if (entry.pendingClose != null) {
        entry.pendingClose.cancel(false);
        entry.pendingClose = null;
      }
      return new Lease<>(this, entry);
    }
  }

  private void release(Entry<K, C> entry) {
    synchronized (entries) {
      if (--entry.leases == 0) {
        entry.pendingClose =
            CLOSER.schedule(() -> closeIfIdle(entry), idleCloseMillis, TimeUnit.MILLISECONDS);
      }
    }
  }

  private void closeIfIdle(Entry<K, C> entry) {
    synchronized (entries) {
      if (entry.leases > 0 || entries.get(entry.key) != entry) {
        return;
      }
      entries.remove(entry.key);
    }
    LOG.info("Closing idle {} for {}", kind, entry.key);
    close.accept(entry.client);
  }

  private static final class Entry<K, C> {
    final K key;
    final C client;
    int leases;
    ScheduledFuture<?> pendingClose;

    Entry(K key, C client) {
      this.key = key;
      this.client = client;
    }
  }

  /** A DoFn's hold on a shared client. */
  public static final class Lease<C> implements AutoCloseable {
    private final SharedClients<?, C> owner;
    private final Entry<?, C> entry;
    private boolean closed;

    private <K> Lease(SharedClients<K, C> owner, Entry<K, C> entry) {
      this.owner = owner;
      this.entry = entry;
    }

    public C client() {
      return entry.client;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void close() {
      if (!closed) {
        closed = true;
        ((SharedClients) owner).release(entry);
      }
    }
  }
}
