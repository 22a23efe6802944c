package dev.userstream.ingest;

/** Names of the Beam counters of the ingestion pipeline, shared by code, tests and docs. */
public final class IngestMetrics {
  public static final String NAMESPACE = "userstream.ingest";
  /** Pages the API delivered. */
  public static final String PAGES = "pages";
  /** Requests repeated after a retryable failure. */
  public static final String RETRIES = "fetch_retries";
  /** Users in the delivered pages. */
  public static final String FETCHED = "fetched";
  /** Users inserted into the staging table by this run. */
  public static final String STAGED = "staged";
  /** Users fetched whose key was already staged (an earlier run, or earlier in this one). */
  public static final String ALREADY_STAGED = "already_staged";
  /** Unpublished staged rows that Kafka acknowledged (with acks=all) in this run. */
  public static final String PUBLISHED = "published";

  private IngestMetrics() {}
}
