package org.filewcount.agent.lifecycle;

import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * Replaces the JVM's default TERM/INT handling (run shutdown hooks, exit 143/130) with ours, so the
 * drain sequence runs on the main thread in order rather than racing in shutdown hooks.
 * sun.misc.Signal is in jdk.unsupported, which every JDK ships and which is the only JDK way to
 * tell a second signal from the first.
 */
final class SignalHandlers {

  static final String[] NAMES = {"TERM", "INT"};

  private SignalHandlers() {}

  static void install(Consumer<String> onSignal) {
    for (String name : NAMES) {
      Signal.handle(new Signal(name), signal -> onSignal.accept("SIG" + signal.getName()));
    }
  }
}
