package org.filewcount.agent.split;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.filewcount.agent.config.ConsulSettings;
import org.filewcount.agent.consul.ConsulHttp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the service's splitter from inside the running agent and reports the weight per version
 * (for the {@code filewcount.traffic.weight} gauge). The CLI that writes the split lives too briefly to be
 * scraped, so every running agent exports what Consul holds.
 *
 * <p>Uses Consul's blocking queries ({@code GET /v1/config/service-splitter/:name?index=N&wait=5m}), so a
 * change arrives within a second and an idle watch costs one request per wait period. Subset names are
 * translated back to versions through the resolver's agent-owned subsets. Consul being unreachable is
 * retried with capped exponential backoff and jitter, logged once per state change; the last known
 * weights stay in place meanwhile. An empty map means there is no splitter (every passing instance of
 * every version shares the traffic).
 *
 * <p>Wiring: {@code lifecycle.AgentRun} hands {@code SplitWatcher.start(consul, service,
 * telemetry.trafficWeightsListener())} to {@code AgentProcess}, which starts it with the agent and closes it in
 * its documented shutdown order.
 */
public final class SplitWatcher implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SplitWatcher.class);
  static final Duration WAIT = Duration.ofMinutes(5);

  private final ConsulHttp http;
  private final String service;
  private final Consumer<Map<String, Double>> onWeights;
  private final Duration wait;
  private final Duration maxBackoff;
  private final Thread thread;
  private volatile boolean running = true;
  private Map<String, Double> last;

  SplitWatcher(ConsulHttp http, String service, Consumer<Map<String, Double>> onWeights, Duration wait,
      Duration maxBackoff) {
    this.http = http;
    this.service = Objects.requireNonNull(service);
    this.onWeights = Objects.requireNonNull(onWeights);
    this.wait = wait;
    this.maxBackoff = maxBackoff;
    this.thread = new Thread(this::loop, "split-watcher-" + service);
    this.thread.setDaemon(true);
  }

  /** Starts watching on a daemon thread; the first weights arrive as soon as Consul answers. */
  public static SplitWatcher start(ConsulSettings consul, String service, Consumer<Map<String, Double>> onWeights) {
    SplitWatcher w = new SplitWatcher(new ConsulHttp(consul), service, onWeights, WAIT,
        Duration.ofSeconds(60));
    w.thread.start();
    return w;
  }

  void startThread() {
    thread.start();
  }

  private void loop() {
    long index = 0;
    int failures = 0;
    boolean reachable = true;
    while (running) {
      try {
        ConsulHttp.Response r = http.get("/v1/config/" + SplitEntries.SERVICE_SPLITTER + "/"
            + ConsulTrafficControl.encode(service) + "?index=" + index + "&wait=" + wait.toSeconds() + "s", wait);
        long next = r.index().orElse(0L);
        if (r.status() == 404) {
          publish(Map.of());
        } else if (r.ok()) {
          publish(weights((ObjectNode) Json.parse(r.body())));
        } else {
          throw ConsulHttp.failure("watching the splitter of " + service, r);
        }
        if (!reachable) {
          LOG.info("splitter watch of {}: Consul answers again", service);
          reachable = true;
        }
        failures = 0;
        // Consul's rule for blocking queries: an index that goes backwards (or none) starts over from 0,
        // and a missing entry may answer at once, so pause rather than spin.
        if (next <= 0 || next < index) {
          index = 0;
          sleep(Duration.ofSeconds(5));
        } else if (next == index && r.status() == 404) {
          sleep(Duration.ofSeconds(5));
        } else {
          index = next;
        }
      } catch (RuntimeException e) {
        if (!running) {
          return;
        }
        if (reachable) {
          LOG.warn("splitter watch of {}: {} (retrying with backoff; weights stay at the last known)", service,
              e.getMessage());
          reachable = false;
        }
        failures++;
        index = 0;
        long capped = Math.min(maxBackoff.toMillis(), 500L * (1L << Math.min(failures, 10)));
        sleep(Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1)));
      }
    }
  }

  private Map<String, Double> weights(ObjectNode splitter) {
    Optional<ObjectNode> resolver = Optional.empty();
    ConsulHttp.Response r = http.get("/v1/config/" + SplitEntries.SERVICE_RESOLVER + "/"
        + ConsulTrafficControl.encode(service));
    if (r.ok()) {
      JsonNode body = Json.parse(r.body());
      if (body.isObject()) {
        resolver = Optional.of((ObjectNode) body);
      }
    }
    TrafficState state = SplitEntries.state(service, Map.of(), resolver, Optional.of(splitter));
    return state.weights();
  }

  private void publish(Map<String, Double> weights) {
    if (weights.equals(last)) {
      return;
    }
    last = weights;
    LOG.info("traffic split of {}: {}", service, weights.isEmpty() ? "no splitter" : weights);
    try {
      onWeights.accept(weights);
    } catch (RuntimeException e) {
      LOG.warn("weights callback failed: {}", e.toString());
    }
  }

  private void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
