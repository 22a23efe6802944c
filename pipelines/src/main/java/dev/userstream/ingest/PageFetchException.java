package dev.userstream.ingest;

import java.io.IOException;

/** A page the API did not deliver within the retry budget (or refused for good): fails the run. */
public final class PageFetchException extends IOException {
  private static final long serialVersionUID = 1L;

  PageFetchException(String message) {
    super(message);
  }
}
