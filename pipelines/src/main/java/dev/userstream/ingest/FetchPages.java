package dev.userstream.ingest;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.beam.sdk.coders.SerializableCoder;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.values.PBegin;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TupleTagList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches pages {@code firstPage .. firstPage + pages - 1} of one seed from the API, each page by
 * itself (the runner spreads pages over workers), with the retries of {@link RandomUserApi}. Emits
 * every user ({@link #USERS}) and one summary per page ({@link #PAGES}). A page that cannot be
 * fetched fails the run with a {@link PageFetchException} naming the page and its last error.
 */
public final class FetchPages extends PTransform<PBegin, PCollectionTuple> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(FetchPages.class);
  static final TupleTag<StagedUser> USERS = new TupleTag<>() {};
  static final TupleTag<PageSummary> PAGES = new TupleTag<>() {};

  private final FetchSettings settings;
  private final List<PageRequest> requests;

  private FetchPages(FetchSettings settings, List<PageRequest> requests) {
    this.settings = settings;
    this.requests = requests;
  }

  static FetchPages of(FetchSettings settings, String seed, int firstPage, int pages, int resultsPerPage, String nat) {
    if (pages < 1 || firstPage < 1) {
      throw new IllegalArgumentException("need pages >= 1 and firstPage >= 1, got " + pages + " and " + firstPage);
    }
    if (resultsPerPage < 1 || resultsPerPage > 5000) {
      // The API would silently answer 1 user (docs/RANDOMUSER-API.md); say so instead.
      throw new IllegalArgumentException("resultsPerPage must be within 1..5000, was " + resultsPerPage);
    }
    long budget = settings.usersPerWindow();
    if (budget > 0 && resultsPerPage > budget) {
      throw new IllegalArgumentException("resultsPerPage (" + resultsPerPage + ") is more than apiUsersPerWindow ("
          + budget + "): no page could ever be asked for");
    }
    long users = (long) pages * resultsPerPage;
    if (budget > 0 && users > budget) {
      long windows = (users - 1) / budget;
      LOG.info("{} users at most {} per {} s (the API's budget, --apiUsersPerWindow): the fetch takes at least {} s",
          users, budget, settings.window().toSeconds(), windows * settings.window().toSeconds());
    }
    List<PageRequest> requests =
        IntStream.range(firstPage, firstPage + pages)
            .mapToObj(p -> new PageRequest(seed, p, resultsPerPage, nat))
            .collect(Collectors.toList());
    return new FetchPages(settings, requests);
  }

  @Override
  public PCollectionTuple expand(PBegin begin) {
    PCollectionTuple fetched =
        begin
            .apply("PageRequests", Create.of(requests).withCoder(SerializableCoder.of(PageRequest.class)))
            .apply("FetchPage", ParDo.of(new FetchPageFn(settings)).withOutputTags(USERS, TupleTagList.of(PAGES)));
    fetched.get(USERS).setCoder(StagedUser.Coder.INSTANCE);
    fetched.get(PAGES).setCoder(SerializableCoder.of(PageSummary.class));
    return fetched;
  }

  static final class FetchPageFn extends DoFn<PageRequest, StagedUser> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FetchPageFn.class);

    private final FetchSettings settings;
    private final Counter pages = Metrics.counter(IngestMetrics.NAMESPACE, IngestMetrics.PAGES);
    private final Counter retries = Metrics.counter(IngestMetrics.NAMESPACE, IngestMetrics.RETRIES);
    private final Counter fetched = Metrics.counter(IngestMetrics.NAMESPACE, IngestMetrics.FETCHED);
    private transient RandomUserApi api;

    FetchPageFn(FetchSettings settings) {
      this.settings = settings;
    }

    @Setup
    public void setup() {
      api = settings.client();
    }

    @ProcessElement
    public void process(@Element PageRequest request, MultiOutputReceiver out) throws Exception {
      long started = System.nanoTime();
      FetchedPage page = api.fetch(request);
      long micros = StagedUser.micros(page.fetchedAt());
      for (ApiUser user : page.users()) {
        out.get(USERS).output(new StagedUser(user.uuid(), user.json(), request.seed(), request.page(), micros));
      }
      out.get(PAGES).output(new PageSummary(request.seed(), request.page(), page.users().size(), micros));
      pages.inc();
      retries.inc(page.attempts() - 1);
      fetched.inc(page.users().size());
      LOG.info("{}: {} users, {} KB in {} ms{}", request, page.users().size(), page.bytes() / 1024,
          (System.nanoTime() - started) / 1_000_000,
          page.attempts() > 1 ? " after " + page.attempts() + " attempts" : "");
    }

    @Teardown
    public void teardown() {
      api = null; // java.net.http.HttpClient in Java 17 has no close(); its threads stop when unreachable
    }
  }
}
