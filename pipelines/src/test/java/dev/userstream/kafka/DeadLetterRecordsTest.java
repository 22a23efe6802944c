package dev.userstream.kafka;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.userstream.model.DeadLetter;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.Test;

/** A dead letter keeps the original key and value byte for byte; the reason is in headers. */
public class DeadLetterRecordsTest {
  @Test
  public void originalBytesAndReasonHeaders() {
    byte[] payload = {(byte) 0xC3, (byte) 0x28};
    DeadLetter l =
        new DeadLetter("k".getBytes(UTF_8), payload, "users.raw-1@7", "parse", "E", "bad", 0L);
    ProducerRecord<byte[], byte[]> r = DeadLetterRecords.toProducerRecord("users.dlq", l);
    assertThat(r.topic(), equalTo("users.dlq"));
    assertThat(r.value(), equalTo(payload));
    assertThat(new String(r.key(), UTF_8), equalTo("k"));
    assertThat(header(r, DeadLetterHeaders.STAGE), equalTo("parse"));
    assertThat(header(r, DeadLetterHeaders.ERROR_CLASS), equalTo("E"));
    assertThat(header(r, DeadLetterHeaders.ERROR_MESSAGE), equalTo("bad"));
    assertThat(header(r, DeadLetterHeaders.SOURCE), equalTo("users.raw-1@7"));
    assertThat(header(r, DeadLetterHeaders.FAILED_AT), equalTo("1970-01-01T00:00:00Z"));
  }

  private static String header(ProducerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), UTF_8);
  }
}
