/** Command-line tools around the pipelines: schema, sample data. */
package dev.userstream.tools;
