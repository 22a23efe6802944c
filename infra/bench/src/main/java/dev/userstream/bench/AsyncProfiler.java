package dev.userstream.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * async-profiler's native agent, from its Maven Central jar (bundled into this module's jar):
 * extracted to a file, so that a JVM can load it with {@code -agentpath} or have it loaded while
 * it runs ({@link #attach}).
 */
final class AsyncProfiler {
  private static Path library;

  private AsyncProfiler() {}

  /**
   * The agent library for this machine. Always the same file for one version, because a JVM
   * that loads a second copy from another path runs two profilers (the stack's Cassandra lives
   * longer than one benchmark).
   */
  static synchronized Path library() throws IOException {
    if (library != null) {
      return library;
    }
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String resource;
    if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
      resource = "/linux-x64/libasyncProfiler.so";
    } else if (os.contains("linux") && arch.equals("aarch64")) {
      resource = "/linux-arm64/libasyncProfiler.so";
    } else {
      throw new IllegalStateException("async-profiler's agent is bundled for Linux x64 and arm64, not " + os + " " + arch);
    }
    try (InputStream in = AsyncProfiler.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(resource + " is not on the classpath: put infra/bench's jar on it (make build)");
      }
      byte[] bytes = in.readAllBytes();
      Path lib = Path.of(System.getProperty("java.io.tmpdir"), "userstream-libasyncProfiler-" + Integer.toHexString(
          java.util.Arrays.hashCode(bytes)) + ".so");
      if (!Files.exists(lib) || Files.size(lib) != bytes.length) {
        Path part = Files.createTempFile(lib.getParent(), "libasyncProfiler", ".part");
        Files.write(part, bytes);
        Files.move(part, lib, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      library = lib;
      return lib;
    }
  }

  /** Runs a profiler command ("start,...", "stop") in the running JVM {@code pid}, loading the agent if needed. */
  static void attach(long pid, String command) throws IOException {
    try {
      com.sun.tools.attach.VirtualMachine vm = com.sun.tools.attach.VirtualMachine.attach(Long.toString(pid));
      try {
        vm.loadAgentPath(library().toString(), command);
      } finally {
        vm.detach();
      }
    } catch (com.sun.tools.attach.AttachNotSupportedException | com.sun.tools.attach.AgentLoadException
        | com.sun.tools.attach.AgentInitializationException e) {
      throw new IOException("cannot run async-profiler's '" + command + "' in process " + pid + ": " + e, e);
    }
  }
}
