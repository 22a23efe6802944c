package dev.userstream.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The few calls of the Confluent Schema Registry REST API the pipelines make, for JSON Schema:
 * register a schema under a subject, and read a subject's latest version.
 */
public final class SchemaRegistryClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";

  /** One version of a subject. */
  public record RegisteredSchema(String subject, int version, int id, String schema) {}

  private final String baseUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  public SchemaRegistryClient(String baseUrl) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
  }

  /** Registers {@code schema} (JSON Schema) under {@code subject}, or finds it registered already. */
  public RegisteredSchema register(String subject, String schema) {
    String body = JSON.createObjectNode().put("schemaType", "JSON").put("schema", schema).toString();
    call("POST", "/subjects/" + encode(subject) + "/versions", body, "registering the schema for " + subject);
    return parse(call("POST", "/subjects/" + encode(subject), body, "looking up the schema of " + subject));
  }

  /** The latest version of {@code subject}. */
  public RegisteredSchema latest(String subject) {
    return parse(call("GET", "/subjects/" + encode(subject) + "/versions/latest", null,
        "reading the latest schema of " + subject));
  }

  public String url() {
    return baseUrl;
  }

  private JsonNode call(String method, String path, String body, String what) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(30))
        .header("Content-Type", CONTENT_TYPE)
        .header("Accept", CONTENT_TYPE)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new SchemaRegistryException(what + ": the schema registry at " + baseUrl + " is unreachable (" + e
          + "); start it (python3 infra/stack.py up registry) or pass --schemaRegistryUrl=");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SchemaRegistryException(what + ": interrupted");
    }
    JsonNode json;
    try {
      json = JSON.readTree(response.body());
    } catch (IOException e) {
      throw new SchemaRegistryException(what + ": the schema registry at " + baseUrl + " answered HTTP "
          + response.statusCode() + " with a body that is not JSON");
    }
    if (response.statusCode() != 200) {
      throw new SchemaRegistryException(what + " at " + baseUrl + " failed: HTTP " + response.statusCode()
          + ", error " + json.path("error_code").asText("?") + ": " + json.path("message").asText(response.body()));
    }
    return json;
  }

  private static RegisteredSchema parse(JsonNode v) {
    return new RegisteredSchema(v.path("subject").asText(), v.path("version").asInt(), v.path("id").asInt(),
        v.path("schema").asText());
  }

  private static String encode(String subject) {
    return URLEncoder.encode(subject, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
