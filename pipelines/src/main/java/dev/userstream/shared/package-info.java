/** Clients shared by every DoFn instance of a JVM, leased in {@code @Setup}, returned in {@code @Teardown}. */
package dev.userstream.shared;
