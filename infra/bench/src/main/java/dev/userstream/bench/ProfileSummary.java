package dev.userstream.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import one.convert.Arguments;
import one.convert.JfrToFlame;

/**
 * Where the streaming job's CPU went, from async-profiler's recording: flame graphs (HTML) of the
 * job's whole life and of the drain alone, and each drain sample charged to the component that
 * ran it (the frame nearest the leaf that belongs to a known component), so that the table says
 * in figures what the flame graph shows. Cassandra's drain samples are split by the work they
 * did ({@link #CASSANDRA_WORK}).
 */
final class ProfileSummary {
  private static final String JDK = "JDK (not called by any of the above)";

  /**
   * The JVM's own work, the same in the job and in Cassandra (native frames at the leaf). Declared
   * before the tables built from them: static fields are initialised in textual order.
   */
  private static final Pattern JIT =
      Pattern.compile("^(C2Compiler|Compilation::|CompileBroker|Compile::|PhaseChaitin|C1_|Phase[A-Z])");
  private static final Pattern GC = Pattern.compile("^(G1|GC|ConcurrentGC|WorkerThread::|Parallel|PSPromotion)");

  /**
   * Components, matched against a stack's frames from the leaf down; the first match takes the
   * sample, except the JDK's, which takes it only when no other component is on the stack (a
   * HashMap lookup is charged to whoever called it).
   */
  static final Map<String, Pattern> COMPONENTS = components();

  /**
   * What Cassandra's samples did, matched anywhere in the stack, in this order. Its thread pools
   * (SEP) spin-park between tasks before they sleep: that is the first, because it is the cost of
   * requests that arrive in bursts with gaps between them rather than of the requests themselves.
   */
  static final Map<String, Pattern> CASSANDRA_WORK = cassandraWork();

  private ProfileSummary() {}

  private static Map<String, Pattern> cassandraWork() {
    Map<String, Pattern> c = new LinkedHashMap<>();
    c.put("thread pools waiting for work (spin-parking)", Pattern.compile("^org/apache/cassandra/concurrent/SEPWorker\\.doWaitSpin"));
    c.put("compaction", Pattern.compile("^org/apache/cassandra/db/compaction/"));
    c.put("memtable flush", Pattern.compile("^org/apache/cassandra/(db/memtable/.*[Ff]lush|io/sstable/)"));
    c.put("commit log", Pattern.compile("^org/apache/cassandra/db/commitlog/"));
    c.put("reads", Pattern.compile("^org/apache/cassandra/(db/ReadCommand|db/SinglePartitionReadCommand|db/PartitionRangeReadCommand|cql3/statements/SelectStatement)"));
    c.put("writes (mutations into memtables)", Pattern.compile("^org/apache/cassandra/(db/Mutation|db/Keyspace|db/memtable/|db/partitions/|db/rows/|service/StorageProxy|cql3/statements/(ModificationStatement|BatchStatement))"));
    c.put("CQL requests (native transport, Netty)", Pattern.compile("^(org/apache/cassandra/transport/|io/netty/)"));
    c.put("garbage collector", GC);
    c.put("JIT compiler", JIT);
    return c;
  }

  private static Map<String, Pattern> components() {
    Map<String, Pattern> c = new LinkedHashMap<>();
    c.put("JIT compiler", JIT);
    c.put("garbage collector", GC);
    c.put("JSON (Jackson, schema validation)", Pattern.compile("^(com/fasterxml/jackson|com/networknt)"));
    c.put("Cassandra driver", Pattern.compile("^com/datastax"));
    c.put("Kafka client", Pattern.compile("^org/apache/kafka"));
    c.put("Netty (the drivers' I/O)", Pattern.compile("^io/netty"));
    c.put("the pipeline's code", Pattern.compile("^dev/userstream"));
    c.put("Beam", Pattern.compile("^org/apache/beam"));
    c.put("Spark", Pattern.compile("^(org/apache/spark|scala/)"));
    c.put(JDK, Pattern.compile("^(java/|javax/|jdk/|sun/)"));
    return c;
  }

  /** Writes {@code <name>.html} and {@code <name>.collapsed} from {@code jfr}, limited to [fromMillis, toMillis] when given. */
  static Path convert(Path jfr, String name, long fromMillis, long toMillis) throws IOException {
    return convert(jfr, name, "userstream streaming job: " + name, fromMillis, toMillis);
  }

  /** As {@link #convert(Path, String, long, long)}, with the flame graph's title. */
  static Path convert(Path jfr, String name, String title, long fromMillis, long toMillis) throws IOException {
    Path collapsed = jfr.resolveSibling(name + ".collapsed");
    Path html = jfr.resolveSibling(name + ".html");
    for (Path out : List.of(collapsed, html)) {
      List<String> args = new java.util.ArrayList<>(List.of("--cpu", "--title", title,
          "-o", out == collapsed ? "collapsed" : "html"));
      if (fromMillis > 0) {
        args.addAll(List.of("--from", Long.toString(fromMillis), "--to", Long.toString(toMillis)));
      }
      JfrToFlame.convert(jfr.toString(), out.toString(), new Arguments(args.toArray(String[]::new)));
    }
    return collapsed;
  }

  /** Samples per component (and "other"), and the total, of a collapsed-stacks file. */
  static Map<String, Long> byComponent(Path collapsed) throws IOException {
    try (Stream<String> lines = Files.lines(collapsed)) {
      return byComponent(lines.collect(Collectors.toList()));
    }
  }

  static Map<String, Long> byComponent(List<String> collapsedLines) {
    return split(collapsedLines, COMPONENTS.keySet(), "other (native, kernel, interpreter)", frames -> {
      boolean jdk = false;
      for (int i = frames.length - 1; i >= 0; i--) {
        for (Map.Entry<String, Pattern> c : COMPONENTS.entrySet()) {
          if (c.getValue().matcher(frames[i]).find()) {
            if (!c.getKey().equals(JDK)) {
              return c.getKey();
            }
            jdk = true;
          }
        }
      }
      return jdk ? JDK : null;
    });
  }

  /** Samples per kind of work of {@link #CASSANDRA_WORK} (and "other"), and the total, of a collapsed-stacks file. */
  static Map<String, Long> cassandraWork(Path collapsed) throws IOException {
    try (Stream<String> lines = Files.lines(collapsed)) {
      return cassandraWork(lines.collect(Collectors.toList()));
    }
  }

  static Map<String, Long> cassandraWork(List<String> collapsedLines) {
    return split(collapsedLines, CASSANDRA_WORK.keySet(), "other", frames -> {
      for (Map.Entry<String, Pattern> c : CASSANDRA_WORK.entrySet()) {
        for (String frame : frames) {
          if (c.getValue().matcher(frame).find()) {
            return c.getKey();
          }
        }
      }
      return null;
    });
  }

  /**
   * Samples per owner ({@code names} in order, then {@code other} for stacks {@code ownerOf}
   * gives null), and the total, of collapsed-stack lines ("frame;frame;... samples").
   */
  private static Map<String, Long> split(List<String> collapsedLines, Collection<String> names, String other,
      Function<String[], String> ownerOf) {
    Map<String, Long> out = new LinkedHashMap<>();
    names.forEach(k -> out.put(k, 0L));
    out.put(other, 0L);
    long total = 0;
    for (String line : collapsedLines) {
      int space = line.lastIndexOf(' ');
      if (space < 0) {
        continue;
      }
      long samples = Long.parseLong(line.substring(space + 1).trim());
      String owner = ownerOf.apply(line.substring(0, space).split(";"));
      out.merge(owner == null ? other : owner, samples, Long::sum);
      total += samples;
    }
    out.put("total", total);
    return out;
  }

  /** The split as JSON (percent of the samples) and as one line for the table, largest first. */
  static ObjectNode json(Map<String, Long> split) {
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    long total = Math.max(1, split.get("total"));
    out.put("samples", split.get("total"));
    ObjectNode percent = out.putObject("percentByComponent");
    split.entrySet().stream().filter(e -> !e.getKey().equals("total"))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> percent.put(e.getKey(), Math.round(e.getValue() * 1000.0 / total) / 10.0));
    return out;
  }

  static String line(ObjectNode json) {
    StringBuilder s = new StringBuilder();
    json.get("percentByComponent").fields().forEachRemaining(e -> {
      if (e.getValue().asDouble() >= 1) {
        s.append(s.length() == 0 ? "" : ", ").append(e.getKey()).append(' ').append(e.getValue().asText()).append(" %");
      }
    });
    return s.append(" (").append(json.get("samples").asLong()).append(" samples)").toString();
  }
}
