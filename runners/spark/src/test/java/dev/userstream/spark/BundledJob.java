package dev.userstream.spark;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The streaming job run as users run it: {@code java -jar target/userstream-spark-bundled.jar ...}
 * in a process of its own, with its output in target/it-logs. {@link #close} stops it with SIGTERM,
 * as a user or a supervisor would.
 */
final class BundledJob implements AutoCloseable {
  static final Path JAR = Path.of("target", "userstream-spark-bundled.jar");

  private final Process process;
  final Path log;

  private BundledJob(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static BundledJob start(String name, List<String> arguments) throws Exception {
    if (!Files.exists(JAR)) {
      throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: run mvn package first");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx1536m");
    // The Java 17 opens that Spark needs, exactly as this test JVM got them (pom's argLine).
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("-Djdk.reflect")) {
        command.add(arg);
      }
    }
    command.add("-Dspark.driver.host=127.0.0.1");
    command.add("-Dspark.driver.bindAddress=127.0.0.1");
    command.add("-jar");
    command.add(JAR.toString());
    command.addAll(arguments);
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    Path log = logs.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return new BundledJob(pb.start(), log);
  }

  /** For polling: false once the process has exited, with its log named on standard error. */
  boolean isAlive() {
    if (!process.isAlive()) {
      System.err.println("job exited with status " + process.exitValue() + "; log: " + log.toAbsolutePath());
      return false;
    }
    return true;
  }

  /** Sends SIGTERM and returns at once; the job stops gracefully (see SparkStreamPipeline). */
  void requestStop() {
    process.destroy();
  }

  /** SIGTERM, then waits for the graceful stop; SIGKILL only if it does not come. */
  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(150, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new AssertionError("the job did not stop within 150 s of SIGTERM; see " + log);
    }
  }

  static String checkpointDir(File folder) {
    return "--checkpointDir=" + folder.getAbsolutePath();
  }
}
