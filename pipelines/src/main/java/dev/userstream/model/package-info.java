/** The data model: the raw API user, the typed profile, dead letters, and their Beam coders. */
package dev.userstream.model;
