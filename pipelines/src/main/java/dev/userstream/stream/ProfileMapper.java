package dev.userstream.stream;

import dev.userstream.model.RawUser;
import dev.userstream.model.UserProfile;
import java.time.Instant;

/** Maps a validated {@link RawUser} to the typed {@link UserProfile}; secrets have no field. */
public final class ProfileMapper {
  private ProfileMapper() {}

  /**
   * @param ingestedAt the Kafka record's timestamp, so a replay writes an identical row
   */
  public static UserProfile toProfile(RawUser u, Instant ingestedAt)
      throws RecordRejectedException {
    UserProfile.Builder p = UserProfile.builder().id(UserValidator.uuid(u)).ingestedAt(ingestedAt);
    p.gender(u.gender).email(u.email).phone(u.phone).cell(u.cell).nat(u.nat);
    if (u.name != null) {
      p.title(u.name.title).firstName(u.name.first).lastName(u.name.last);
    }
    if (u.location != null) {
      RawUser.Location l = u.location;
      p.street(street(l.street)).city(l.city).state(l.state).country(l.country).postcode(l.postcode);
      if (l.coordinates != null) {
        p.latitude(UserValidator.degrees("latitude", l.coordinates.latitude, 90));
        p.longitude(UserValidator.degrees("longitude", l.coordinates.longitude, 180));
      }
      if (l.timezone != null) {
        p.timezoneOffset(l.timezone.offset);
      }
    }
    if (u.login != null) {
      p.username(u.login.username);
    }
    if (u.dob != null) {
      p.dob(UserValidator.instant("dob.date", u.dob.date)).age(u.dob.age);
    }
    if (u.registered != null) {
      p.registeredAt(UserValidator.instant("registered.date", u.registered.date));
    }
    if (u.picture != null) {
      p.pictureUrl(u.picture.large);
    }
    return p.build();
  }

  /** "8929 Valwood Pkwy": the number and name that are present, joined by a space. */
  static String street(RawUser.Street s) {
    if (s == null) {
      return null;
    }
    String number = s.number == null ? "" : s.number.trim();
    String name = s.name == null ? "" : s.name.trim();
    String joined = (number + " " + name).trim();
    return joined.isEmpty() ? null : joined;
  }
}
