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
}
