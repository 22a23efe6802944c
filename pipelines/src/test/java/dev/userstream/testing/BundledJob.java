package dev.userstream.testing;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A pipeline run as users run it, from a runner module's bundled jar ({@code java -jar
 * target/userstream-<runner>-bundled.jar ...} or {@code java -cp ... MainClass ...}) in a process
 * of its own, with its output in target/it-logs. {@link #close} stops it with SIGTERM, as a user or
 * a supervisor would.
 */
public final class BundledJob implements AutoCloseable {
  private final Process process;
  public final Path log;

  private BundledJob(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  /** The bundled jar of the runner module the test runs in ({@code direct}, {@code spark}). */
  public static Path jar(String runner) {
    return Path.of("target", "userstream-" + runner + "-bundled.jar");
  }

  /** Starts the jar's main class ({@code java -jar}). */
  public static BundledJob start(Path jar, String name, List<String> arguments) throws IOException {
    return launch(jar, null, name, arguments);
  }

  /** Starts another main class of the jar ({@code java -cp jar mainClass}). */
  public static BundledJob startMain(Path jar, String mainClass, String name, List<String> arguments) throws IOException {
    return launch(jar, mainClass, name, arguments);
  }

  private static BundledJob launch(Path jar, String mainClass, String name, List<String> arguments) throws IOException {
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run mvn package first");
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
    if (mainClass == null) {
      command.add("-jar");
      command.add(jar.toString());
    } else {
      command.add("-cp");
      command.add(jar.toString());
      command.add(mainClass);
    }
    command.addAll(arguments);
    Path logs = Files.createDirectories(Path.of("target", "it-logs"));
    Path log = logs.resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return new BundledJob(pb.start(), log);
  }

  /** For polling: false once the process has exited, with its log named on standard error. */
  public boolean isAlive() {
    if (!process.isAlive()) {
      System.err.println("job exited with status " + process.exitValue() + "; log: " + log.toAbsolutePath());
      return false;
    }
    return true;
  }

  /**
   * Waits for a job that ends by itself (a bounded pipeline) and returns its exit status. The
   * deadline follows the job's log: it fails once the log has not grown for {@code stall} (four
   * stalls in all at the most), so a slow machine is waited for and a hung job is not.
   */
  public int awaitExit(Duration stall) throws InterruptedException {
    try {
      LocalStack.await(stall, () -> "job still running, log at " + log.toFile().length() + " bytes: " + log.toAbsolutePath(),
          () -> !process.isAlive());
    } catch (AssertionError e) {
      process.destroyForcibly().waitFor();
      throw e;
    }
    return process.exitValue();
  }

  /** The job's output so far. */
  public String output() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** Sends SIGTERM and returns at once; the job stops gracefully (see SparkStreamPipeline). */
  public void requestStop() {
    process.destroy();
  }

  /** SIGKILL: no shutdown of any kind, as a crash or the OOM killer would end it. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
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

  public static String checkpointDir(File folder) {
    return "--checkpointDir=" + folder.getAbsolutePath();
  }
}
