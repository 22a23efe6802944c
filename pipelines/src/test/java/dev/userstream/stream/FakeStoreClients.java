package dev.userstream.stream;

import dev.userstream.model.DeadLetter;
import dev.userstream.model.UserProfile;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * {@link StoreClients} that keep what they were asked in a {@link Journal}, in the order it
 * happened, and fail when told to. Upserts are acknowledged a few milliseconds later on another
 * thread, as a real store's are. The DirectRunner runs deserialised copies of the DoFn, so the
 * factory carries only the journal's name and the journals live in a static map.
 */
final class FakeStoreClients implements StoreClients {
  private static final Map<String, Journal> JOURNALS = new ConcurrentHashMap<>();
  private static final ScheduledExecutorService ACKS = Executors.newScheduledThreadPool(2, r -> {
    Thread t = new Thread(r, "fake-store-acks");
    t.setDaemon(true);
    return t;
  });

  /** Everything the clients of one test did, and the failures they are to make. */
  static final class Journal {
    /**
     * In order, by the clients of one DoFn instance (numbered from 1): "upsert N id" when an
     * upsert starts, "ack N id" once it is acknowledged, "commit N topic-partition next-offset"
     * once committed.
     */
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final List<DeadLetter> committedLetters = Collections.synchronizedList(new ArrayList<>());
    final Map<UUID, AtomicInteger> upsertAttempts = new ConcurrentHashMap<>();
    final Map<UUID, AtomicInteger> upsertFailuresLeft = new ConcurrentHashMap<>();
    final AtomicInteger commitAttempts = new AtomicInteger();
    final AtomicInteger commitFailuresLeft = new AtomicInteger();
    /** The most upserts one DoFn instance had started and not yet waited for. */
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    final AtomicInteger opened = new AtomicInteger();

    /** The upserts of {@code id} fail this many times before one lands. */
    Journal failUpserts(UUID id, int times) {
      upsertFailuresLeft.put(id, new AtomicInteger(times));
      return this;
    }

    /** This many commits fail (with a KafkaException) before one goes through. */
    Journal failCommits(int times) {
      commitFailuresLeft.set(times);
      return this;
    }

    List<String> commits() {
      synchronized (events) {
        return events.stream().filter(e -> e.startsWith("commit ")).toList();
      }
    }

    List<String> snapshot() {
      synchronized (events) {
        return new ArrayList<>(events);
      }
    }
  }

  static Factory factory(String name, Journal journal) {
    JOURNALS.put(name, journal);
    return new NamedFactory(name);
  }

  private record NamedFactory(String name) implements Factory {
    @Override
    public StoreClients open() {
      Journal journal = JOURNALS.get(name);
      return new FakeStoreClients(journal, journal.opened.incrementAndGet());
    }

    @Override
    public String describe() {
      return "the fake store " + name;
    }
  }

  private final Journal journal;
  private final int instance;
  private final AtomicInteger inFlight = new AtomicInteger();

  private FakeStoreClients(Journal journal, int instance) {
    this.journal = journal;
    this.instance = instance;
  }

  @Override
  public Future<?> upsert(UserProfile profile) {
    journal.events.add("upsert " + instance + " " + profile.id);
    journal.upsertAttempts.computeIfAbsent(profile.id, id -> new AtomicInteger()).incrementAndGet();
    journal.maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    AtomicInteger failuresLeft = journal.upsertFailuresLeft.get(profile.id);
    boolean fail = failuresLeft != null && failuresLeft.getAndDecrement() > 0;
    CompletableFuture<Void> ack = new CompletableFuture<>() {
      @Override
      public Void get() throws InterruptedException, ExecutionException {
        try {
          return super.get();
        } finally {
          inFlight.decrementAndGet();
        }
      }
    };
    ACKS.schedule(() -> {
      if (fail) {
        ack.completeExceptionally(new IllegalStateException("the fake store refused " + profile.id));
      } else {
        journal.events.add("ack " + instance + " " + profile.id);
        ack.complete(null);
      }
    }, 3, TimeUnit.MILLISECONDS);
    return ack;
  }

  @Override
  public void commit(TopicPartition source, List<DeadLetter> letters, long nextOffset) {
    journal.commitAttempts.incrementAndGet();
    if (journal.commitFailuresLeft.getAndDecrement() > 0) {
      throw new KafkaException("the fake broker refused the transaction of " + source);
    }
    synchronized (journal.events) {
      journal.committedLetters.addAll(letters);
      journal.events.add("commit " + instance + " " + source + " " + nextOffset);
    }
  }

  @Override
  public void close() {
    journal.closed.incrementAndGet();
  }
}
