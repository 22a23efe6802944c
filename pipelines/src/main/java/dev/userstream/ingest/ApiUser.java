package dev.userstream.ingest;

/** One user of a page: its {@code login.uuid} and its JSON object exactly as the API sent it. */
record ApiUser(String uuid, String json) {}
