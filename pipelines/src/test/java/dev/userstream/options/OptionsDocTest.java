package dev.userstream.options;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.userstream.ingest.IngestPipelineOptions;
import dev.userstream.stream.StreamPipelineOptions;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.junit.runners.JUnit4;

/**
 * The option tables of docs/PIPELINES.md are generated from the options interfaces (their
 * {@code @Description} and {@code @Default}), between {@code <!-- options: Class -->} and
 * {@code <!-- /options -->}: this test fails when they differ, and {@code make docs-options}
 * ({@code -DupdateDocs=true}) rewrites them.
 */
@RunWith(JUnit4.class)
public class OptionsDocTest {
  private static final Path DOC = Path.of("..", "docs", "PIPELINES.md");
  private static final Pattern BLOCK =
      Pattern.compile("<!-- options: ([\\w.$]+) -->\\n.*?<!-- /options -->", Pattern.DOTALL);
  private static final List<Class<?>> DOCUMENTED = List.of(IngestPipelineOptions.class, StreamPipelineOptions.class);

  @Test
  public void theDocsOptionTablesAreTheOptionsInterfaces() throws IOException {
    String doc = Files.readString(DOC, StandardCharsets.UTF_8);
    Matcher m = BLOCK.matcher(doc);
    StringBuilder generated = new StringBuilder();
    Set<String> found = new LinkedHashSet<>();
    while (m.find()) {
      Class<?> type = DOCUMENTED.stream().filter(c -> c.getName().equals(m.group(1))).findFirst()
          .orElseThrow(() -> new AssertionError("docs/PIPELINES.md documents an unknown options class " + m.group(1)));
      found.add(type.getName());
      m.appendReplacement(generated, Matcher.quoteReplacement(block(type)));
    }
    m.appendTail(generated);
    assertThat("options classes with a table in docs/PIPELINES.md", found,
        equalTo(new LinkedHashSet<>(DOCUMENTED.stream().map(Class::getName).toList())));
    if (Boolean.getBoolean("updateDocs")) {
      Files.writeString(DOC, generated.toString(), StandardCharsets.UTF_8);
      return;
    }
    assertThat("docs/PIPELINES.md's option tables drifted from the code: make docs-options",
        doc, equalTo(generated.toString()));
  }

  /** The table of {@code type}'s options: its own first, then each mixin's. */
  static String block(Class<?> type) {
    StringBuilder out = new StringBuilder("<!-- options: " + type.getName() + " -->\n");
    out.append("| option | default | meaning |\n|---|---|---|\n");
    for (Class<?> declaring : interfaces(type)) {
      List<Method> getters = new ArrayList<>();
      for (Method method : declaring.getDeclaredMethods()) {
        if (method.isAnnotationPresent(Description.class) && method.getParameterCount() == 0) {
          getters.add(method);
        }
      }
      getters.sort(Comparator.comparing(Method::getName));
      for (Method getter : getters) {
        out.append("| `--").append(name(getter)).append("` | ").append(defaultOf(getter)).append(" | ")
            .append(getter.getAnnotation(Description.class).value().replace("|", "\\|")).append(" |\n");
      }
    }
    return out.append("<!-- /options -->").toString();
  }

  /** {@code type} and the project's interfaces it extends, depth first. */
  private static List<Class<?>> interfaces(Class<?> type) {
    List<Class<?>> out = new ArrayList<>();
    if (type.getPackageName().startsWith("dev.userstream")) {
      out.add(type);
      for (Class<?> parent : type.getInterfaces()) {
        for (Class<?> c : interfaces(parent)) {
          if (!out.contains(c)) {
            out.add(c);
          }
        }
      }
    }
    return out;
  }

  private static String name(Method getter) {
    String n = getter.getName().replaceFirst("^(get|is)", "");
    return Character.toLowerCase(n.charAt(0)) + n.substring(1);
  }

  private static String defaultOf(Method getter) {
    if (getter.isAnnotationPresent(Default.String.class)) {
      String v = getter.getAnnotation(Default.String.class).value();
      return v.isEmpty() ? "empty" : "`" + v + "`";
    }
    if (getter.isAnnotationPresent(Default.Integer.class)) {
      return "`" + getter.getAnnotation(Default.Integer.class).value() + "`";
    }
    if (getter.isAnnotationPresent(Default.Long.class)) {
      return "`" + getter.getAnnotation(Default.Long.class).value() + "`";
    }
    if (getter.isAnnotationPresent(Default.Boolean.class)) {
      return "`" + getter.getAnnotation(Default.Boolean.class).value() + "`";
    }
    if (getter.isAnnotationPresent(Default.Double.class)) {
      return "`" + getter.getAnnotation(Default.Double.class).value() + "`";
    }
    if (getter.isAnnotationPresent(Default.InstanceFactory.class)) {
      return "see meaning";
    }
    return "none";
  }
}
