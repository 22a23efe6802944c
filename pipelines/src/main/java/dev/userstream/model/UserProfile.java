package dev.userstream.model;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The typed profile stored in Cassandra ({@code userstream.users}, keyed by {@link #id} =
 * {@code login.uuid}). Every field but {@code id} and {@code ingestedAt} may be null, because the
 * API omits whole blocks under {@code inc}/{@code exc}. It has no field for any API secret.
 *
 * <p>{@code ingestedAt} is the Kafka record's timestamp, not the processing time, so replaying the
 * same record writes the very same row.
 */
public final class UserProfile implements Serializable {
  private static final long serialVersionUID = 1L;

  public final UUID id;
  public final String title;
  public final String firstName;
  public final String lastName;
  public final String gender;
  public final String street;
  public final String city;
  public final String state;
  public final String country;
  public final String postcode;
  public final Double latitude;
  public final Double longitude;
  public final String timezoneOffset;
  public final String email;
  public final String username;
  public final Instant dob;
  public final Integer age;
  public final Instant registeredAt;
  public final String phone;
  public final String cell;
  public final String pictureUrl;
  public final String nat;
  public final Instant ingestedAt;

  private UserProfile(Builder b) {
    this.id = Objects.requireNonNull(b.id, "id");
    this.title = b.title;
    this.firstName = b.firstName;
    this.lastName = b.lastName;
    this.gender = b.gender;
    this.street = b.street;
    this.city = b.city;
    this.state = b.state;
    this.country = b.country;
    this.postcode = b.postcode;
    this.latitude = b.latitude;
    this.longitude = b.longitude;
    this.timezoneOffset = b.timezoneOffset;
    this.email = b.email;
    this.username = b.username;
    this.dob = b.dob;
    this.age = b.age;
    this.registeredAt = b.registeredAt;
    this.phone = b.phone;
    this.cell = b.cell;
    this.pictureUrl = b.pictureUrl;
    this.nat = b.nat;
    this.ingestedAt = Objects.requireNonNull(b.ingestedAt, "ingestedAt");
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Fields in a fixed order, shared by {@link #equals}, {@link #hashCode} and the coder. */
  Object[] values() {
    return new Object[] {
      id, title, firstName, lastName, gender, street, city, state, country, postcode, latitude,
      longitude, timezoneOffset, email, username, dob, age, registeredAt, phone, cell, pictureUrl,
      nat, ingestedAt
    };
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UserProfile && java.util.Arrays.equals(values(), ((UserProfile) o).values());
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(values());
  }

  @Override
  public String toString() {
    return "UserProfile" + java.util.Arrays.toString(values());
  }

  /** Builder; {@code id} and {@code ingestedAt} are required. */
  public static final class Builder {
    private UUID id;
    private String title;
    private String firstName;
    private String lastName;
    private String gender;
    private String street;
    private String city;
    private String state;
    private String country;
    private String postcode;
    private Double latitude;
    private Double longitude;
    private String timezoneOffset;
    private String email;
    private String username;
    private Instant dob;
    private Integer age;
    private Instant registeredAt;
    private String phone;
    private String cell;
    private String pictureUrl;
    private String nat;
    private Instant ingestedAt;

    public Builder id(UUID v) { id = v; return this; }
    public Builder title(String v) { title = v; return this; }
    public Builder firstName(String v) { firstName = v; return this; }
    public Builder lastName(String v) { lastName = v; return this; }
    public Builder gender(String v) { gender = v; return this; }
    public Builder street(String v) { street = v; return this; }
    public Builder city(String v) { city = v; return this; }
    public Builder state(String v) { state = v; return this; }
    public Builder country(String v) { country = v; return this; }
    public Builder postcode(String v) { postcode = v; return this; }
    public Builder latitude(Double v) { latitude = v; return this; }
    public Builder longitude(Double v) { longitude = v; return this; }
    public Builder timezoneOffset(String v) { timezoneOffset = v; return this; }
    public Builder email(String v) { email = v; return this; }
    public Builder username(String v) { username = v; return this; }
    public Builder dob(Instant v) { dob = v; return this; }
    public Builder age(Integer v) { age = v; return this; }
    public Builder registeredAt(Instant v) { registeredAt = v; return this; }
    public Builder phone(String v) { phone = v; return this; }
    public Builder cell(String v) { cell = v; return this; }
    public Builder pictureUrl(String v) { pictureUrl = v; return this; }
    public Builder nat(String v) { nat = v; return this; }
    public Builder ingestedAt(Instant v) { ingestedAt = v; return this; }

    public UserProfile build() {
      return new UserProfile(this);
    }
  }
}
