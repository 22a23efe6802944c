package dev.userstream.registry;

/** A request the registry refuses, with Confluent's HTTP status and error code. */
public final class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final int errorCode;

  RegistryException(int status, int errorCode, String message) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }

  public int status() {
    return status;
  }

  public int errorCode() {
    return errorCode;
  }

  static RegistryException subjectNotFound(String subject) {
    return new RegistryException(404, 40401, "Subject '" + subject + "' not found.");
  }

  static RegistryException versionNotFound(String version) {
    return new RegistryException(404, 40402, "Version " + version + " not found.");
  }

  static RegistryException schemaNotFound(String what) {
    return new RegistryException(404, 40403, what);
  }

  static RegistryException subjectSoftDeleted(String subject) {
    return new RegistryException(404, 40404,
        "Subject '" + subject + "' was soft deleted.Set permanent=true to delete permanently");
  }

  static RegistryException subjectNotSoftDeleted(String subject) {
    return new RegistryException(404, 40405,
        "Subject '" + subject + "' was not deleted first before being permanently deleted");
  }

  static RegistryException versionSoftDeleted(String subject, int version) {
    return new RegistryException(404, 40406, "Subject '" + subject + "' Version " + version
        + " was soft deleted.Set permanent=true to delete permanently");
  }

  static RegistryException versionNotSoftDeleted(String subject, int version) {
    return new RegistryException(404, 40407, "Subject '" + subject + "' Version " + version
        + " was not deleted first before being permanently deleted");
  }

  static RegistryException noSubjectConfig(String subject) {
    return new RegistryException(404, 40408,
        "Subject '" + subject + "' does not have subject-level compatibility configured");
  }

  static RegistryException invalidSchema(String detail) {
    return new RegistryException(422, 42201, "Invalid schema: " + detail);
  }

  static RegistryException invalidVersion(String version) {
    return new RegistryException(422, 42202,
        "The specified version '" + version + "' is not a valid version id. Allowed values are between "
            + "[1, 2^31-1] and the string \"latest\"");
  }

  static RegistryException invalidCompatibility(String level) {
    return new RegistryException(422, 42203, "Invalid compatibility level. Valid values are none, backward, "
        + "forward, full, backward_transitive, forward_transitive, and full_transitive; was '" + level + "'");
  }

  static RegistryException incompatible(String subject, java.util.List<String> messages) {
    return new RegistryException(409, 409, "Schema being registered is incompatible with an earlier schema for "
        + "subject \"" + subject + "\", details: " + messages);
  }

  static RegistryException badRequest(String detail) {
    return new RegistryException(400, 400, detail);
  }

  static RegistryException store(String detail) {
    return new RegistryException(500, 50001, "Error in the backend datastore: " + detail);
  }
}
