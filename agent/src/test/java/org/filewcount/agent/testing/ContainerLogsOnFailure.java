package org.filewcount.agent.testing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.ToStringConsumer;

/**
 * Attaches the log of every watched container to a failure, as suppressed exceptions of the failure itself,
 * so the test report shows what Consul and each Envoy said, also when set-up in {@code @BeforeAll} fails.
 * The log is collected from the container's start (Testcontainers follows it before the wait strategy
 * runs), so a container that never became ready still has its log here.
 *
 * <pre>{@code
 * @RegisterExtension static final ContainerLogsOnFailure LOGS = new ContainerLogsOnFailure();
 * ... LOGS.watch("consul", ConsulContainers.pinned()) ...
 * }</pre>
 */
public final class ContainerLogsOnFailure implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

  /** Enough for Envoy's start-up and the xDS exchanges; the head of a long log is rarely the news. */
  static final int TAIL_LINES = 300;

  private final Map<String, Supplier<String>> logs = new LinkedHashMap<>();

  /** Collects the container's log from its start; returns the container for chaining. */
  public synchronized <C extends GenericContainer<?>> C watch(String name, C container) {
    ToStringConsumer log = new ToStringConsumer();
    container.withLogConsumer(log);
    watchLog(name, log::toUtf8String);
    return container;
  }

  synchronized void watchLog(String name, Supplier<String> log) {
    logs.put(name, log);
  }

  /** One exception per watched log, whose message is the last {@link #TAIL_LINES} lines. */
  synchronized <T extends Throwable> T withLogs(T failure) {
    logs.forEach((name, log) -> failure.addSuppressed(new ContainerLog(name, tail(log.get()))));
    return failure;
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw withLogs(failure);
  }

  @Override
  public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw withLogs(failure);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw withLogs(failure);
  }

  static String tail(String log) {
    List<String> lines = log.lines().toList();
    int from = Math.max(0, lines.size() - TAIL_LINES);
    String head = from > 0 ? "(" + from + " earlier lines left out)\n" : "";
    return head + String.join("\n", lines.subList(from, lines.size()));
  }

  /** Carries one container's log into the failure report; its stack trace says nothing, so none is kept. */
  static final class ContainerLog extends Exception {
    ContainerLog(String name, String log) {
      super("log of container " + name + ":\n" + log, null, false, false);
    }
  }
}
