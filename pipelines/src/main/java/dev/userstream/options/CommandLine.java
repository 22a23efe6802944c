package dev.userstream.options;

import java.util.Arrays;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.PipelineOptionsFactory;

/** How every main of the project reads its arguments: {@code --name=value}, and {@code --help}. */
public final class CommandLine {
  private CommandLine() {}

  /**
   * The options {@code args} set, checked ({@code @Validation.Required}, unknown names refused
   * with the known ones listed); with {@code --help}, prints every option of {@code type} with its
   * description and default, and exits 0.
   */
  public static <T extends PipelineOptions> T parse(String[] args, Class<T> type) {
    printHelpOnRequest(args, type);
    PipelineOptionsFactory.register(type);
    return PipelineOptionsFactory.fromArgs(args).withValidation().as(type);
  }

  /**
   * As {@link #parse}, for the mains that run no pipeline (the servers): unknown names are refused
   * all the same, but no runner is looked for (validation would want one on the classpath).
   */
  public static <T extends PipelineOptions> T settings(String[] args, Class<T> type) {
    printHelpOnRequest(args, type);
    PipelineOptionsFactory.register(type);
    return PipelineOptionsFactory.fromArgs(args).as(type);
  }

  private static void printHelpOnRequest(String[] args, Class<? extends PipelineOptions> type) {
    if (Arrays.asList(args).contains("--help")) {
      PipelineOptionsFactory.printHelp(System.out, type);
      System.exit(0);
    }
  }
}
