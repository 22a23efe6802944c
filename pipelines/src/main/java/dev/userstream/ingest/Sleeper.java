package dev.userstream.ingest;

import java.time.Duration;

/** Waiting, behind an interface so that tests of the retry policy take no real time. */
@FunctionalInterface
interface Sleeper {
  Sleeper REAL = d -> Thread.sleep(d.toMillis());

  void sleep(Duration duration) throws InterruptedException;
}
