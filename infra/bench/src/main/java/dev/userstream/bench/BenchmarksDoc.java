package dev.userstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** docs/BENCHMARKS.md from one run's report: the machine, the table, the targets, the chart. */
final class BenchmarksDoc {
  private BenchmarksDoc() {}

  static String render(JsonNode report, List<String> table) {
    JsonNode m = report.get("machine");
    StringBuilder out = new StringBuilder();
    out.append("# Benchmarks\n\n");
    out.append("Written by `make bench BENCH_UPDATE_DOCS=true` (`dev.userstream.bench.Bench`) on ")
        .append(report.get("finishedAt").asText()).append(". Re-run it to measure your machine; ")
        .append("`target/bench/bench.json` has every figure.\n\n");
    out.append("## Machine\n\n");
    out.append("| | |\n|---|---|\n");
    out.append("| CPU | ").append(m.path("cpu").asText()).append(", ").append(m.path("cores").asInt())
        .append(" cores |\n");
    out.append("| memory | ").append(m.path("memoryGiB").asDouble()).append(" GiB |\n");
    out.append("| Java | ").append(m.path("java").asText()).append(" |\n");
    out.append("| Beam / Spark | ").append(m.path("beam").asText()).append(" / ").append(m.path("spark").asText())
        .append(" (Spark runner, `local[2]`) |\n");
    out.append("| Kafka clients / Cassandra | ").append(m.path("kafkaClients").asText()).append(" / ")
        .append(m.path("cassandra").asText()).append(" |\n");
    out.append("\nEverything (PostgreSQL, Kafka, Cassandra, Spark, the emulator, the registry, Airflow, the console, ")
        .append("the job and the benchmark itself) shares these cores.\n\n");
    out.append("## Results\n\n| measure | value |\n|---|---|\n");
    table.forEach(row -> out.append(row).append('\n'));
    if (report.has("targets")) {
      out.append("\n## Targets\n\n| target | measured | met |\n|---|---|---|\n");
      report.get("targets").forEach(t -> out.append("| ").append(t.get("target").asText()).append(" | ")
          .append(t.get("measured").asText()).append(" | ").append(t.get("met").asBoolean() ? "yes" : "**no**")
          .append(" |\n"));
    }
    if (report.has("latency")) {
      out.append("\n## Latency under load\n\n![latency per second](latency.png)\n");
    }
    out.append("\n## How to read it\n\n")
        .append("- **ingest**: the emulator, PostgreSQL and Kafka on the same cores as the pipeline; the overall rate ")
        .append("is pipeline start to done.\n")
        .append("- **drain**: a preloaded topic into Cassandra; the rate is first row to last row (JVM start and the ")
        .append("first micro-batch are reported apart).\n")
        .append("- **latency**: Kafka's record time (set by the producer) to Cassandra's write time of the row (set ")
        .append("by the job's driver when it issues the upsert), for every record of the offered load.\n")
        .append("- **ceilings**: the fastest one consumer reads the same topic, and the fastest the driver writes ")
        .append("the same rows with the pipeline's own statement; the drain is reported as a fraction of the ")
        .append("slower of the two, which is where the pipeline would stop even with no Beam or Spark overhead.\n");
    return out.toString();
  }
}
