package dev.userstream.profiles;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.junit.Assert.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.Test;

/** A cursor opens only with the key and the filters it was issued for. */
public class CursorsTest {
  private static final String FILTERS = "nat=GB\n";
  private final Cursors cursors = new Cursors("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
  private final ByteBuffer state = ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});

  @Test
  public void anIssuedCursorOpensToItsPagingState() throws BadRequest {
    assertThat(cursors.open(FILTERS, cursors.issue(FILTERS, state)), is(state));
  }

  @Test
  public void aCursorForOtherFiltersIsRefused() {
    String cursor = cursors.issue(FILTERS, state);
    assertThat(assertThrows(BadRequest.class, () -> cursors.open("nat=FR\n", cursor)).getMessage(),
        containsString("cursor: not one this API issued for these filters"));
  }

  @Test
  public void anAlteredOrForgedCursorIsRefused() {
    byte[] raw = Base64.getUrlDecoder().decode(cursors.issue(FILTERS, state));
    raw[0] ^= 1;
    String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    String otherKey = new Cursors("another key, long enough".getBytes(StandardCharsets.UTF_8)).issue(FILTERS, state);
    for (String forged : new String[] {altered, otherKey, "not base64 !", "AAAA", "%27%20OR%201%3D1"}) {
      assertThrows(forged, BadRequest.class, () -> cursors.open(FILTERS, forged));
    }
  }
}
