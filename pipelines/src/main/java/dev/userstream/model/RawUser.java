package dev.userstream.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * One user as the randomuser.me API returns it (contract: {@code docs/RANDOMUSER-API.md}), bound
 * tolerantly: unknown fields are ignored, any block may be missing ({@code inc}/{@code exc}), and
 * scalars that arrive as numbers or strings (postcode, street number, coordinates) bind as text.
 *
 * <p>The secret fields of {@code login} (password, salt, md5, sha1, sha256) are deliberately not
 * bound: they are dropped at parse time and cannot reach any downstream store.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public final class RawUser {
  public String gender;
  public Name name;
  public Location location;
  public String email;
  public Login login;
  public DatedAge dob;
  public DatedAge registered;
  public String phone;
  public String cell;
  public Picture picture;
  public String nat;

  /** {@code name}: title, first and last name. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Name {
    public String title;
    public String first;
    public String last;
  }

  /** {@code location}: postcode is a number for some nationalities and a string for others. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Location {
    public Street street;
    public String city;
    public String state;
    public String country;
    public String postcode;
    public Coordinates coordinates;
    public Timezone timezone;
  }

  /** {@code location.street}. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Street {
    public String number;
    public String name;
  }

  /** {@code location.coordinates}: decimal degrees, sent as strings. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Coordinates {
    public String latitude;
    public String longitude;
  }

  /** {@code location.timezone}: offsets look like "+9:30", "-3:00", "0:00". */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Timezone {
    public String offset;
    public String description;
  }

  /** {@code login} without its secrets: only the natural key and the public user name. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Login {
    public String uuid;
    public String username;
  }

  /** {@code dob} and {@code registered}: an ISO-8601 instant and an age in years. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class DatedAge {
    public String date;
    public Integer age;
  }

  /** {@code picture}: portrait URLs. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public static final class Picture {
    public String large;
    public String medium;
    public String thumbnail;
  }

  /** The natural key, or null when the login block or its uuid is missing. */
  public String uuid() {
    return login == null ? null : login.uuid;
  }
}
