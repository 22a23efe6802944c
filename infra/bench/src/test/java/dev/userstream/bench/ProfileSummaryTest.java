package dev.userstream.bench;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.util.List;
import java.util.Map;
import org.junit.Test;

/** Each sample is charged to the component nearest the leaf of its stack. */
public class ProfileSummaryTest {
  @Test
  public void samplesGoToTheComponentNearestTheLeaf() {
    Map<String, Long> split = ProfileSummary.byComponent(List.of(
        // The pipeline's code calling Jackson: JSON's time.
        "java/lang/Thread.run;org/apache/spark/executor/Executor$TaskRunner.run;dev/userstream/stream/UserParser.parse;"
            + "com/fasterxml/jackson/core/json/UTF8StreamJsonParser.nextToken_[j] 30",
        // The pipeline's own frame at the leaf.
        "java/lang/Thread.run;org/apache/spark/rdd/RDD.iterator;dev/userstream/stream/ProfileMapper.toProfile_[j] 6",
        // A JDK call is charged to its caller.
        "java/lang/Thread.run;dev/userstream/stream/ProfileMapper.toProfile_[j];java/util/HashMap.get_[j] 4",
        "thread_native_entry;JavaThread::thread_main_inner;CompileBroker::compiler_thread_loop;C2Compiler::compile_method 50",
        "java/lang/Thread.run;com/datastax/oss/driver/internal/core/channel/DriverChannel.write;io/netty/channel/AbstractChannel.write 5",
        "start_thread;__futex_wait_[k] 3",
        "java/lang/Thread.run;java/lang/ref/Reference$ReferenceHandler.run 2"));
    assertThat(split.get("JSON (Jackson, schema validation)"), equalTo(30L));
    assertThat(split.get("the pipeline's code"), equalTo(10L));
    assertThat(split.get("JIT compiler"), equalTo(50L));
    assertThat(split.get("Netty (the drivers' I/O)"), equalTo(5L));
    assertThat(split.get("other (native, kernel, interpreter)"), equalTo(3L));
    assertThat(split.get("JDK (not called by any of the above)"), equalTo(2L));
    assertThat(split.get("total"), equalTo(100L));
    assertThat(ProfileSummary.line(ProfileSummary.json(split)),
        equalTo("JIT compiler 50.0 %, JSON (Jackson, schema validation) 30.0 %, the pipeline's code 10.0 %,"
            + " Netty (the drivers' I/O) 5.0 %, other (native, kernel, interpreter) 3.0 %,"
            + " JDK (not called by any of the above) 2.0 % (100 samples)"));
  }

  @Test
  public void cassandraSamplesGoToTheWorkTheyDid() {
    Map<String, Long> split = ProfileSummary.cassandraWork(List.of(
        // A pool worker spin-parking between tasks, on a Netty thread-local runnable: waiting, not Netty.
        "java/lang/Thread.run;io/netty/util/concurrent/FastThreadLocalRunnable.run;"
            + "org/apache/cassandra/concurrent/SEPWorker.run;org/apache/cassandra/concurrent/SEPWorker.doWaitSpin;"
            + "java/util/concurrent/locks/LockSupport.parkNanos;jdk/internal/misc/Unsafe.park;finish_task_switch_[k] 40",
        "java/lang/Thread.run;org/apache/cassandra/concurrent/SEPWorker.run;org/apache/cassandra/transport/Dispatcher.processRequest;"
            + "org/apache/cassandra/cql3/statements/ModificationStatement.execute;org/apache/cassandra/db/Keyspace.apply 25",
        "java/lang/Thread.run;io/netty/channel/epoll/EpollEventLoop.run;io/netty/channel/epoll/Native.epollWait 15",
        "java/lang/Thread.run;org/apache/cassandra/db/compaction/CompactionTask.runMayThrow;org/apache/cassandra/db/rows/Row.apply 10",
        "java/lang/Thread.run;org/apache/cassandra/db/commitlog/CommitLogSegment.sync 4",
        "G1ParScanThreadState::trim_queue_to_threshold 6"));
    assertThat(split.get("thread pools waiting for work (spin-parking)"), equalTo(40L));
    assertThat(split.get("writes (mutations into memtables)"), equalTo(25L));
    assertThat(split.get("CQL requests (native transport, Netty)"), equalTo(15L));
    assertThat(split.get("compaction"), equalTo(10L));
    assertThat(split.get("commit log"), equalTo(4L));
    assertThat(split.get("garbage collector"), equalTo(6L));
    assertThat(split.get("total"), equalTo(100L));
  }
}
