package dev.userstream.ingest;

import java.time.Instant;
import java.util.List;

/** A page as fetched: its users, when it arrived (microsecond precision, as PostgreSQL keeps it), tries. */
record FetchedPage(PageRequest request, List<ApiUser> users, Instant fetchedAt, int attempts, int bytes) {}
