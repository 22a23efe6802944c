package dev.userstream.cassandra;

import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeStateListener;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log when a Cassandra node goes down and comes back, as the driver sees it: on a
 * cluster, requests go on at their consistency level with the other replicas, and without this
 * line nothing would tell an operator that one node is carrying no load.
 */
final class NodeStateLog implements NodeStateListener {
  private static final Logger LOG = LoggerFactory.getLogger(NodeStateLog.class);
  private final String consistency;
  /** Nodes last seen down: only their return is news (every node comes "up" as a session starts). */
  private final Set<Node> down = ConcurrentHashMap.newKeySet();

  NodeStateLog(String consistency) {
    this.consistency = consistency;
  }

  @Override
  public void onDown(Node node) {
    down.add(node);
    LOG.warn("Cassandra node {} (datacenter {}) is down; requests go on at {} with the other replicas",
        node.getEndPoint(), node.getDatacenter(), consistency);
  }

  @Override
  public void onUp(Node node) {
    if (down.remove(node)) {
      LOG.info("Cassandra node {} (datacenter {}) is up again", node.getEndPoint(), node.getDatacenter());
    }
  }

  @Override
  public void onAdd(Node node) {}

  @Override
  public void onRemove(Node node) {
    LOG.warn("Cassandra node {} left the cluster", node.getEndPoint());
  }

  @Override
  public void close() {}
}
