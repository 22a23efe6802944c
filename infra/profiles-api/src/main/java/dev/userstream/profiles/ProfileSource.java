package dev.userstream.profiles;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Where profiles are read from: Cassandra ({@link CassandraProfiles}), or a fake in unit tests. */
interface ProfileSource extends AutoCloseable {
  /** One page of a listing: its profiles and the paging state of the next page (null after the last). */
  record Page(List<ObjectNode> profiles, ByteBuffer next) {}

  Optional<ObjectNode> byId(UUID id);

  /** The page of {@code query} that starts at {@code pagingState} (null: the first). */
  Page list(ProfileQuery query, ByteBuffer pagingState);

  /** Whether the store answers; throws with the reason when it does not. */
  void check();

  @Override
  void close();
}
