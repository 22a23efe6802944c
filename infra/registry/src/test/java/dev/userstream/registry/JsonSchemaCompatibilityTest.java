package dev.userstream.registry;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.hasSize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.Test;

/** Which changes a reader schema survives, one rule at a time. */
public class JsonSchemaCompatibilityTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> reads(String reader, String writer) throws Exception {
    return JsonSchemaCompatibility.reads(JSON.readTree(reader.replace('\'', '"')), JSON.readTree(writer.replace('\'', '"')));
  }

  @Test
  public void typesMayWidenButNotNarrow() throws Exception {
    assertThat(reads("{'type':'number'}", "{'type':'integer'}"), empty());
    assertThat(reads("{'type':['string','null']}", "{'type':'string'}"), empty());
    assertThat(reads("{'type':'integer'}", "{'type':'number'}"), hasSize(1));
    assertThat(reads("{'type':'string'}", "{}"), contains("#: the writing schema accepts any value here and the reading schema constrains it"));
  }

  @Test
  public void enumsMayGrowAndBoundsMayLoosen() throws Exception {
    assertThat(reads("{'enum':['a','b','c']}", "{'enum':['a','b']}"), empty());
    assertThat(reads("{'enum':['a']}", "{'enum':['a','b']}"), contains("#: enum value \"b\" removed"));
    assertThat(reads("{'type':'string','maxLength':20}", "{'type':'string','maxLength':10}"), empty());
    assertThat(reads("{'type':'string','maxLength':5}", "{'type':'string','maxLength':10}"), hasSize(1));
    assertThat(reads("{'type':'integer','minimum':0}", "{'type':'integer'}"), hasSize(1));
    assertThat(reads("{'type':'string'}", "{'type':'string','pattern':'^a'}"), empty());
    assertThat(reads("{'type':'string','pattern':'^b'}", "{'type':'string','pattern':'^a'}"), hasSize(1));
  }

  @Test
  public void propertiesFollowTheContentModel() throws Exception {
    String open = "{'type':'object','properties':{'id':{'type':'string'}}}";
    String closed = "{'type':'object','properties':{'id':{'type':'string'}},'additionalProperties':false}";
    // A typed property added to an open model: old data may hold it with another type.
    assertThat(reads("{'type':'object','properties':{'id':{'type':'string'},'age':{'type':'integer'}}}", open),
        contains("#/properties/age: property added to an open content model (data written before may hold 'age' with any value)"));
    // ...but not to a closed one, where old data never holds it.
    assertThat(reads("{'type':'object','properties':{'id':{'type':'string'},'age':{'type':'integer'}},"
        + "'additionalProperties':false}", closed), empty());
    // Removing a property: fine for an open reader, not for a closed one.
    assertThat(reads("{'type':'object'}", open), empty());
    assertThat(reads("{'type':'object','additionalProperties':false}", open), hasSize(2));
    // Closing an open model, or making a property required, narrows.
    assertThat(reads(closed, open), hasSize(1));
    assertThat(reads("{'type':'object','properties':{'id':{'type':'string'}},'required':['id']}", open),
        contains("#: property 'id' became required"));
    // Nested: the type of a nested property narrows.
    assertThat(reads("{'properties':{'a':{'properties':{'b':{'type':'integer'}}}}}",
        "{'properties':{'a':{'properties':{'b':{'type':'number'}}}}}"),
        contains("#/properties/a/properties/b: type 'number' is no longer accepted (now [integer])"));
    // Annotations do not matter; unknown combinators must stay as they were.
    assertThat(reads("{'type':'string','description':'x','title':'y'}", "{'type':'string'}"), empty());
    assertThat(reads("{'anyOf':[{'type':'string'}]}", "{'anyOf':[{'type':'string'},{'type':'null'}]}"), hasSize(1));
  }
}
