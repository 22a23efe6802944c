package dev.userstream.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.lessThan;

import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.junit.Test;

/** A phase's machine figures from two readings of /proc/stat and the processes' CPU seconds. */
public class PhaseMeterTest {
  private static final String STAT_BEFORE = "cpu  1000 0 500 8000 100 0 0 0 0 0\ncpu0 500 0 250 4000 50 0 0 0 0 0\n";
  // 400 ticks later: 200 busy (150 user, 30 system, 10 irq, 10 softirq), 100 idle, 60 iowait, 40 steal.
  private static final String STAT_AFTER = "cpu  1150 0 530 8100 160 10 10 40 25 0\nintr 1\n";

  @Test
  public void parsesTheAggregateLineWithoutCountingGuestTimeTwice() {
    PhaseMeter.CpuTicks t = PhaseMeter.CpuTicks.parse(STAT_AFTER);
    assertThat(t.busy(), equalTo(1150L + 530 + 10 + 10));
    assertThat(t.idle(), equalTo(8100L));
    assertThat(t.iowait(), equalTo(160L));
    assertThat(t.steal(), equalTo(40L));
  }

  @Test
  public void busyIoWaitAndStealAreSharesOfTheTicksThatPassed() {
    Map<String, Double> cpu = new LinkedHashMap<>();
    cpu.put("job", 6.0);
    cpu.put("cassandra", 3.0);
    PhaseMeter.Result r = PhaseMeter.result("drain", 10, 2, PhaseMeter.CpuTicks.parse(STAT_BEFORE),
        PhaseMeter.CpuTicks.parse(STAT_AFTER), cpu);
    assertThat(r.json().get("busyPercent").asDouble(), equalTo(50.0));
    assertThat(r.json().get("iowaitPercent").asDouble(), equalTo(15.0));
    assertThat(r.json().get("stealPercent").asDouble(), equalTo(10.0));
    assertThat(r.json().get("coreSecondsAvailable").asDouble(), equalTo(20.0));
    // 50 % of 20 core-seconds were busy: 9 of those 10 were the job and Cassandra.
    assertThat(r.json().at("/cpuSeconds/other").asDouble(), equalTo(1.0));
    assertThat(r.summary(), containsString("job 6.0, cassandra 3.0 of 20 core-s; busy 50 %, I/O wait 15.0 %, steal 10.0 %"));
  }

  @Test(expected = IllegalArgumentException.class)
  public void aStatWithoutTheAggregateLineIsRefused() {
    PhaseMeter.CpuTicks.parse("cpu0 1 2 3 4\n");
  }

  @Test
  public void aProcessCpuIncludesTheWorkOfItsChildren() throws Exception {
    // A shell that only waits while its child spins: a PostgreSQL server and its backends.
    Process parent = new ProcessBuilder("sh", "-c", "yes > /dev/null & wait").start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      double seconds = 0;
      while (seconds < 0.5) {
        assertThat("no CPU charged to the waiting shell in 30 s", System.nanoTime(), lessThan(deadline));
        Thread.sleep(50);
        seconds = Bench.cpuSeconds(parent.pid());
      }
    } finally {
      parent.descendants().forEach(ProcessHandle::destroyForcibly);
      parent.destroyForcibly();
    }
  }
}
