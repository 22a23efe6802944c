package dev.userstream.profiles;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;

import dev.userstream.profiles.ProfileQuery.Filter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.Test;

/** The statements: indexed restrictions with bind markers only, every profile column, no secret. */
public class CassandraProfilesTest {
  @Test
  public void everyCombinationOfFiltersIsIndexedRestrictionsWithBindMarkers() {
    List<Filter> all = List.of(Filter.values());
    for (int mask = 1; mask < 1 << all.size(); mask++) {
      Set<Filter> filters = EnumSet.noneOf(Filter.class);
      for (int i = 0; i < all.size(); i++) {
        if ((mask & 1 << i) != 0) {
          filters.add(all.get(i));
        }
      }
      String cql = CassandraProfiles.listingCql("ks.users", filters);
      assertThat(cql, not(containsString("ALLOW FILTERING")));
      // The prefix is a range: two bind markers.
      long markers = filters.size() + (filters.contains(Filter.LAST_NAME_PREFIX) ? 1 : 0);
      assertThat(cql.chars().filter(c -> c == '?').count(), is(markers));
      assertThat(cql, endsWith(String.join(" AND ", filters.stream().map(f -> f.restriction).toList())));
    }
  }

  @Test
  public void theColumnsAreTheProfileAndNothingElse() {
    List<String> json = new ArrayList<>();
    CassandraProfiles.COLUMNS.forEach(c -> json.add(c[1]));
    List<String> fields = new ArrayList<>();
    for (java.lang.reflect.Field f : dev.userstream.model.UserProfile.class.getFields()) {
      fields.add(f.getName());
    }
    assertThat(json, is(fields));
  }
}
