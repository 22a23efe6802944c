/** The Cassandra sink, its JVM-wide session and the project's schema. */
package dev.userstream.cassandra;
