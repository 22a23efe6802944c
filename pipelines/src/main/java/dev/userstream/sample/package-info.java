/** Deterministic sample users in the randomuser.me format, for the demo and the tests. */
package dev.userstream.sample;
