package org.filewcount.agent.rollout;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Receives every rollout event. A failing listener is logged and never stops the rollout. */
@FunctionalInterface
public interface RolloutListener {

  void on(RolloutEvent event);

  static RolloutListener all(List<RolloutListener> listeners) {
    Logger log = LoggerFactory.getLogger(RolloutListener.class);
    return e -> {
      for (RolloutListener l : listeners) {
        try {
          l.on(e);
        } catch (RuntimeException ex) {
          log.warn("rollout listener {} failed on {}: {}", l.getClass().getSimpleName(), e.type().label, ex.toString());
        }
      }
    };
  }

  /** Log events with the verdict in the message and key fields in the MDC-free text, for log pipelines. */
  static RolloutListener log() {
    // The logger keeps the name it had before the traffic package was split: log pipelines filter on it.
    Logger log = LoggerFactory.getLogger("org.filewcount.agent.traffic.rollout");
    return e -> {
      String line = "rollout " + e.type().label + " service=" + e.service() + " canary=" + e.canary() + " stable="
          + e.stable() + " step=" + e.step() + "/" + e.steps() + " canary_weight=" + e.canaryWeight().toPlainString()
          + (e.passed() != null ? " passed=" + e.passed() : "") + " - " + e.text();
      if (e.type() == RolloutEvent.Type.ROLLED_BACK || Boolean.FALSE.equals(e.passed())) {
        log.warn(line);
      } else {
        log.info(line);
      }
    };
  }
}
