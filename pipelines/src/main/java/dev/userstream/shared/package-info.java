/**
 * Clients shared by every DoFn instance of a JVM, leased in {@code @Setup} and returned in
 * {@code @Teardown}; the messages a failed run ends with; what the project's HTTP servers share.
 */
package dev.userstream.shared;
