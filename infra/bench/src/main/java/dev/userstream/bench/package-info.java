/**
 * Not the product: {@code make bench} ({@link dev.userstream.bench.Bench}) and the producer of
 * sample users and poison payloads ({@link dev.userstream.bench.ProduceSampleUsers}) that the
 * demo, the soak and the tests use. Run beside the product's bundled jar.
 */
package dev.userstream.bench;
