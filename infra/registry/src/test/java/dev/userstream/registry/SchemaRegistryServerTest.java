package dev.userstream.registry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** The REST API over HTTP, on an in-memory log: codes, bodies, content type, restarts. */
public class SchemaRegistryServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER_V1 = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},"
      + "\"required\":[\"id\"],\"additionalProperties\":false}";
  private final HttpClient http = HttpClient.newHttpClient();
  private final InMemorySchemaLog log = new InMemorySchemaLog();
  private SchemaRegistryServer server;

  @Before
  public void start() throws IOException {
    server = SchemaRegistryServer.start(0, log);
  }

  @After
  public void stop() {
    server.close();
  }

  private record Reply(int status, JsonNode body, String contentType) {
    int errorCode() {
      return body.path("error_code").asInt();
    }
  }

  private Reply call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path))
        .header("Content-Type", SchemaRegistryServer.CONTENT_TYPE);
    request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), JSON.readTree(response.body()),
        response.headers().firstValue("Content-Type").orElse(""));
  }

  private static String json(String schema) throws Exception {
    return JSON.createObjectNode().put("schemaType", "JSON").put("schema", schema).toString();
  }

  private Reply register(String subject, String schema) throws Exception {
    return call("POST", "/subjects/" + subject + "/versions", json(schema));
  }

  @Test
  public void registersFetchesAndLooksUpAndReusesTheIdOfAnIdenticalSchema() throws Exception {
    Reply first = register("users.raw-value", USER_V1);
    assertThat(first.status(), equalTo(200));
    assertThat(first.contentType(), equalTo("application/vnd.schemaregistry.v1+json"));
    int id = first.body().path("id").asInt();
    // The same schema with other key order and spacing: the same id, no new version.
    String reordered = "{ \"additionalProperties\": false, \"required\": [\"id\"],"
        + " \"properties\": {\"id\": {\"type\": \"string\"}}, \"type\": \"object\" }";
    assertThat(register("users.raw-value", reordered).body().path("id").asInt(), equalTo(id));
    assertThat(call("GET", "/subjects/users.raw-value/versions", null).body().toString(), equalTo("[1]"));
    // Another subject with the same schema shares the id.
    assertThat(register("other-value", USER_V1).body().path("id").asInt(), equalTo(id));

    JsonNode latest = call("GET", "/subjects/users.raw-value/versions/latest", null).body();
    assertThat(latest.path("subject").asText(), equalTo("users.raw-value"));
    assertThat(latest.path("version").asInt(), equalTo(1));
    assertThat(latest.path("id").asInt(), equalTo(id));
    assertThat(latest.path("schemaType").asText(), equalTo("JSON"));
    assertThat(JSON.readTree(latest.path("schema").asText()), equalTo(JSON.readTree(USER_V1)));
    assertThat(call("GET", "/schemas/ids/" + id, null).body().path("schema").asText(), equalTo(USER_V1));
    assertThat(call("GET", "/schemas/ids/" + id + "/subjects", null).body().toString(),
        equalTo("[\"other-value\",\"users.raw-value\"]"));
    Reply lookup = call("POST", "/subjects/users.raw-value", json(reordered));
    assertThat(lookup.body().path("version").asInt(), equalTo(1));
    assertThat(call("GET", "/subjects", null).body().toString(), equalTo("[\"other-value\",\"users.raw-value\"]"));
  }

  @Test
  public void refusesBadRequestsWithConfluentsCodesAndNeverA500() throws Exception {
    register("s", USER_V1);
    assertError(register("s", "{not json"), 422, 42201);
    assertError(register("s", "{\"type\": 12}"), 422, 42201);
    assertError(register("s", "[1, 2]"), 422, 42201);
    assertError(call("POST", "/subjects/s/versions", "{\"schema\": \"{}\"}"), 422, 42201); // AVRO by default
    assertError(call("POST", "/subjects/s/versions", "{\"schemaType\": \"JSON\"}"), 422, 42201);
    assertError(call("POST", "/subjects/s/versions", "not json at all"), 400, 400);
    assertError(call("GET", "/subjects/nope/versions", null), 404, 40401);
    assertError(call("GET", "/subjects/nope/versions/1", null), 404, 40401);
    assertError(call("GET", "/subjects/s/versions/7", null), 404, 40402);
    assertError(call("GET", "/subjects/s/versions/abc", null), 422, 42202);
    assertError(call("GET", "/subjects/s/versions/0", null), 422, 42202);
    assertError(call("GET", "/schemas/ids/999", null), 404, 40403);
    assertError(call("GET", "/schemas/ids/x", null), 404, 40403);
    assertError(call("POST", "/subjects/s", json("{\"type\": \"string\"}")), 404, 40403);
    assertError(call("POST", "/subjects/nope", json(USER_V1)), 404, 40401);
    assertError(call("PUT", "/config", "{\"compatibility\": \"SIDEWAYS\"}"), 422, 42203);
    assertError(call("GET", "/config/s", null), 404, 40408);
    assertError(call("GET", "/no/such/path", null), 404, 404);
    Reply invalid = register("s", "{\"type\": 12}");
    assertThat(invalid.body().path("message").asText(), containsString("Invalid schema"));
  }

  @Test
  public void backwardByDefaultRefusesANewRequiredPropertyWith409() throws Exception {
    register("s", USER_V1);
    String required = "{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\"}},"
        + "\"required\":[\"id\",\"age\"],\"additionalProperties\":false}";
    Reply refused = register("s", required);
    assertError(refused, 409, 409);
    assertThat(refused.body().path("message").asText(), containsString("property 'age' became required"));
    Reply test = call("POST", "/compatibility/subjects/s/versions/latest?verbose=true", json(required));
    assertThat(test.body().path("is_compatible").asBoolean(), equalTo(false));
    assertThat(test.body().path("messages").toString(), containsString("became required"));

    // An optional property on a closed model is backward compatible.
    String optional = required.replace(",\"age\"]", "]");
    assertThat(call("POST", "/compatibility/subjects/s/versions/1", json(optional)).body()
        .path("is_compatible").asBoolean(), equalTo(true));
    assertThat(register("s", optional).status(), equalTo(200));
    assertThat(call("GET", "/subjects/s/versions", null).body().toString(), equalTo("[1,2]"));

    // FORWARD for this subject only: the old schema cannot read documents without "id".
    assertThat(call("PUT", "/config/s", "{\"compatibility\": \"FORWARD\"}").body().path("compatibility").asText(),
        equalTo("FORWARD"));
    assertThat(call("GET", "/config/s", null).body().path("compatibilityLevel").asText(), equalTo("FORWARD"));
    assertThat(call("GET", "/config", null).body().path("compatibilityLevel").asText(), equalTo("BACKWARD"));
    String idOptional = optional.replace("\"required\":[\"id\"]", "\"required\":[]");
    assertError(register("s", idOptional), 409, 409);
    call("PUT", "/config/s", "{\"compatibility\": \"NONE\"}");
    assertThat(register("s", idOptional).status(), equalTo(200));
  }

  @Test
  public void softThenPermanentDeletesAndStateSurvivesARestart() throws Exception {
    register("s", USER_V1);
    register("t", "{\"type\": \"string\"}");
    assertError(call("DELETE", "/subjects/s?permanent=true", null), 404, 40405);
    assertThat(call("DELETE", "/subjects/s", null).body().toString(), equalTo("[1]"));
    assertError(call("DELETE", "/subjects/s", null), 404, 40404);
    assertThat(call("GET", "/subjects", null).body().toString(), equalTo("[\"t\"]"));
    assertThat(call("GET", "/subjects?deleted=true", null).body().toString(), equalTo("[\"s\",\"t\"]"));
    assertThat(call("DELETE", "/subjects/s?permanent=true", null).body().toString(), equalTo("[1]"));
    assertThat(call("GET", "/subjects?deleted=true", null).body().toString(), equalTo("[\"t\"]"));
    assertError(call("DELETE", "/subjects/t/versions/1?permanent=true", null), 404, 40407);
    call("PUT", "/config", "{\"compatibility\": \"FULL\"}");

    // A new server over the same log: the same subjects, ids, versions and levels.
    server.close();
    server = SchemaRegistryServer.start(0, log);
    assertThat(call("GET", "/subjects", null).body().toString(), equalTo("[\"t\"]"));
    assertThat(call("GET", "/subjects/t/versions/1", null).body().path("id").asInt(), equalTo(2));
    assertThat(call("GET", "/config", null).body().path("compatibilityLevel").asText(), equalTo("FULL"));
    assertThat("ids are never reused", register("u", "{\"type\": \"number\"}").body().path("id").asInt(), equalTo(3));
  }

  private static void assertError(Reply reply, int status, int errorCode) {
    assertThat(reply.body().toString(), reply.status(), equalTo(status));
    assertThat(reply.body().toString(), reply.errorCode(), equalTo(errorCode));
    assertThat(reply.contentType(), equalTo("application/vnd.schemaregistry.v1+json"));
  }
}
