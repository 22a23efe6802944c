package dev.userstream.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * async-profiler's native agent, from its Maven Central jar (bundled into this module's jar):
 * extracted to a file once, so that a JVM can load it with {@code -agentpath}.
 */
final class AsyncProfiler {
  private AsyncProfiler() {}

  /** The agent library for this machine, extracted to a temporary file. */
  static Path library() throws IOException {
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
      Path lib = Files.createTempFile("libasyncProfiler", ".so");
      lib.toFile().deleteOnExit();
      Files.copy(in, lib, StandardCopyOption.REPLACE_EXISTING);
      return lib;
    }
  }
}
