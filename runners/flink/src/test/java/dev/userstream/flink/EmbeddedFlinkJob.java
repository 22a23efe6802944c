package dev.userstream.flink;

import dev.userstream.testing.BundledJob;
import dev.userstream.testing.StreamScenario;
import java.util.ArrayList;
import java.util.List;

/**
 * The Flink runner's streaming job from the bundled jar, embedded ({@code --flinkMaster=[local]}),
 * with the default parallelism (one reader per partition).
 */
final class EmbeddedFlinkJob {
  private EmbeddedFlinkJob() {}

  static BundledJob start(StreamScenario scenario, String name) throws Exception {
    List<String> args = new ArrayList<>(scenario.arguments());
    args.add("--runner=FlinkRunner");
    args.add("--flinkMaster=[local]");
    return BundledJob.start(BundledJob.jar("flink"), name, args);
  }
}
