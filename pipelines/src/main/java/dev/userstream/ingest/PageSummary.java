package dev.userstream.ingest;

import java.io.Serializable;

/** What one fetch of one page delivered; the stage counters are computed from it. */
record PageSummary(String seed, int page, int users, long fetchedAtMicros) implements Serializable {}
