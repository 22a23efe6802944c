package dev.userstream.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.DoubleSupplier;

/**
 * What the machine did during one phase of the benchmark: from {@code /proc/stat}, how busy the
 * cores were, how much time they waited for the disk (I/O wait) and how much the hypervisor took
 * (steal), because on a shared machine a slow disk or a noisy neighbour can make every figure 3x
 * worse; and each process's CPU seconds (the job, Cassandra, Kafka, ...), the split that says who
 * took the cores.
 */
final class PhaseMeter {
  /** The machine-wide counters of {@code /proc/stat}'s first line, in clock ticks. */
  record CpuTicks(long busy, long idle, long iowait, long steal) {
    long total() {
      return busy + idle + iowait + steal;
    }

    /** Parses the aggregate "cpu" line: user nice system idle iowait irq softirq steal [guest guest_nice]. */
    static CpuTicks parse(String procStat) {
      for (String line : procStat.split("\n")) {
        if (line.startsWith("cpu ")) {
          String[] f = line.trim().split("\\s+");
          long[] v = new long[8];
          for (int i = 0; i < 8 && i + 1 < f.length; i++) {
            v[i] = Long.parseLong(f[i + 1]);
          }
          // guest time is already counted in user time, so it is not added again.
          return new CpuTicks(v[0] + v[1] + v[2] + v[5] + v[6], v[3], v[4], v[7]);
        }
      }
      throw new IllegalArgumentException("no aggregate cpu line in /proc/stat");
    }

    static CpuTicks read() {
      try {
        return parse(Files.readString(Path.of("/proc/stat")));
      } catch (IOException e) {
        throw new IllegalStateException("cannot read /proc/stat (the benchmark runs on Linux)", e);
      }
    }
  }

  private final String phase;
  private final int cores;
  private final long startNanos;
  private final CpuTicks startTicks;
  private final Map<String, DoubleSupplier> cpuSeconds;
  private final Map<String, Double> startCpu = new LinkedHashMap<>();

  private PhaseMeter(String phase, int cores, Map<String, DoubleSupplier> cpuSeconds) {
    this.phase = phase;
    this.cores = cores;
    this.cpuSeconds = cpuSeconds;
    cpuSeconds.forEach((name, seconds) -> startCpu.put(name, seconds.getAsDouble()));
    this.startTicks = CpuTicks.read();
    this.startNanos = System.nanoTime();
  }

  /**
   * Starts metering {@code phase}; {@code cpuSeconds} names the processes to split the CPU between,
   * each with its CPU seconds so far (a supplier, because a process may start during the phase; -1:
   * not running).
   */
  static PhaseMeter start(String phase, Map<String, DoubleSupplier> cpuSeconds) {
    return new PhaseMeter(phase, Runtime.getRuntime().availableProcessors(), cpuSeconds);
  }

  /** Ends the phase: its machine figures, as JSON and as one line for the table. */
  Result stop() {
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    Map<String, Double> cpu = new LinkedHashMap<>();
    cpuSeconds.forEach((name, soFar) -> {
      double now = soFar.getAsDouble();
      double before = startCpu.getOrDefault(name, -1.0);
      // A process that started during the phase counts from 0; one that is not running counts nothing.
      if (now >= 0) {
        cpu.put(name, now - Math.max(0, before));
      }
    });
    return result(phase, seconds, cores, startTicks, CpuTicks.read(), cpu);
  }

  /** One phase's figures. */
  record Result(String phase, ObjectNode json, String summary) {}

  static Result result(String phase, double seconds, int cores, CpuTicks from, CpuTicks to,
      Map<String, Double> cpuSeconds) {
    long total = Math.max(1, to.total() - from.total());
    double busy = percent(to.busy() - from.busy(), total);
    double iowait = percent(to.iowait() - from.iowait(), total);
    double steal = percent(to.steal() - from.steal(), total);
    double available = seconds * cores;
    ObjectNode json = JsonNodeFactory.instance.objectNode()
        .put("seconds", round(seconds)).put("coreSecondsAvailable", round(available))
        .put("busyPercent", busy).put("iowaitPercent", iowait).put("stealPercent", steal);
    ObjectNode split = json.putObject("cpuSeconds");
    StringJoiner line = new StringJoiner(", ");
    double accounted = 0;
    for (Map.Entry<String, Double> e : cpuSeconds.entrySet()) {
      split.put(e.getKey(), round(e.getValue()));
      accounted += e.getValue();
      line.add(String.format(Locale.ROOT, "%s %.1f", e.getKey(), e.getValue()));
    }
    split.put("other", round(Math.max(0, available * busy / 100 - accounted)));
    String summary = String.format(Locale.ROOT, "CPU s: %s of %.0f core-s; busy %.0f %%, I/O wait %.1f %%, steal %.1f %%",
        line, available, busy, iowait, steal);
    return new Result(phase, json, summary);
  }

  private static double percent(long part, long total) {
    return Math.round(part * 1000.0 / total) / 10.0;
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
