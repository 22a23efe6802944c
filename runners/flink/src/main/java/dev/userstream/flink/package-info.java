/** Entry points of the Flink runner's bundled jar. */
package dev.userstream.flink;
