/** Entry points of the Spark runner's bundled jar. */
package dev.userstream.spark;
