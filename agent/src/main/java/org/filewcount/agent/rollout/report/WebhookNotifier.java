package org.filewcount.agent.rollout.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.filewcount.agent.net.HttpClients;
import org.filewcount.agent.rollout.RolloutEvent;
import org.filewcount.agent.rollout.RolloutListener;
import org.filewcount.agent.split.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each step, promotion, rollback and abort to --notify-url. The body is a Slack incoming-webhook
 * message ({@code text}) carrying the structured event beside it, which Slack ignores and other receivers
 * (Mattermost, Teams workflows, a custom hook) can use. A failed notification is logged, never fatal.
 */
final class WebhookNotifier implements RolloutListener {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookNotifier.class);

  private final URI url;
  private final HttpClient client = HttpClients.plain(Duration.ofSeconds(5));

  public WebhookNotifier(URI url) {
    this.url = url;
  }

  @Override
  public void on(RolloutEvent e) {
    if (e.type() == RolloutEvent.Type.CHECK && (Boolean.TRUE.equals(e.passed()) || e.evidenceRetry())) {
      return; // the next step's notice says it passed; a retry is not news until it becomes a rollback
    }
    if (e.type() == RolloutEvent.Type.NOMAD) {
      return;
    }
    ObjectNode body = Json.MAPPER.createObjectNode();
    String icon = switch (e.type()) {
      case ROLLED_BACK -> ":rotating_light: ";
      case ABORTED -> ":warning: ";
      case PROMOTED -> ":white_check_mark: ";
      case CHECK -> ":x: ";
      default -> "";
    };
    body.put("text", icon + "filewcount rollout of " + e.service() + " " + e.stable() + " -> " + e.canary() + ": "
        + e.text());
    body.setAll(e.json());
    HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(5))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8)).build();
    try {
      HttpResponse<Void> r = client.send(request, HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() / 100 != 2) {
        LOG.warn("--notify-url answered {} to the {} notice", r.statusCode(), e.type().label);
      }
    } catch (IOException ex) {
      LOG.warn("--notify-url {} did not take the {} notice: {}", url.getHost(), e.type().label, ex.toString());
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
    }
  }
}
