package dev.userstream.model;

/** A source record whose payload parsed as a {@link RawUser}. */
public final class ParsedUser {
  public final SourceRecord source;
  public final RawUser user;

  public ParsedUser(SourceRecord source, RawUser user) {
    this.source = source;
    this.user = user;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParsedUser && source.equals(((ParsedUser) o).source);
  }

  @Override
  public int hashCode() {
    return source.hashCode();
  }

  @Override
  public String toString() {
    return "ParsedUser{" + source.coordinates() + ", uuid=" + user.uuid() + "}";
  }
}
