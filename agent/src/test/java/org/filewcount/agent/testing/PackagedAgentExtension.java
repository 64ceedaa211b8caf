package org.filewcount.agent.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.UnaryOperator;
import org.filewcount.agent.registry.StubConsul;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The packaged-agent fixture of the integration tests: the filewcount stand-in, a stub Consul and the packaged
 * agent ({@link AgentUnderTest}) started in that order, each awaited (the stand-in and the stub listen when their
 * start returns; the agent is registered with both checks passing), and closed in reverse order after each test,
 * together with anything the test handed to {@link #closeAfter}. When a test fails, the tail of the agent's log is
 * attached to the failure (as a suppressed exception), so the report shows what the agent said.
 *
 * <pre>{@code
 * @RegisterExtension
 * final PackagedAgentExtension fixture = PackagedAgentExtension.startedForEachTest(agent -> agent.option("--drain", "3s"));
 *
 * @Test
 * void drains(AgentUnderTest agent, StubConsul consul, FilewcountStandIn app) { ... }
 * }</pre>
 *
 * <p>Tests that choose the agent's options inside the test, or start something before it, use
 * {@link #startedByTest()} and call {@link #startApp}, {@link #startConsul}, {@link #startAgent} or {@link #start}
 * themselves; the extension still closes what they started.
 */
public final class PackagedAgentExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver,
    TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

  /** The agent registers within a few seconds idle; a loaded 2-core machine has taken well over ten. */
  public static final Duration REGISTERED_WITHIN = Duration.ofSeconds(30);

  /** Where {@link AgentUnderTest} keeps the agent's log, so a failure can be read afterwards. */
  private static final Path AGENT_LOGS = Path.of("target", "reliability-logs");

  private final UnaryOperator<AgentUnderTest.Builder> eagerAgent;
  private boolean consulOnFixedPort;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private FilewcountStandIn app;
  private StubConsul consul;
  private AgentUnderTest agent;
  private String testClass = "agent";

  private PackagedAgentExtension(UnaryOperator<AgentUnderTest.Builder> eagerAgent) {
    this.eagerAgent = eagerAgent;
  }

  /** Before each test: the stand-in, the stub Consul and the agent with these options, registered. */
  public static PackagedAgentExtension startedForEachTest(UnaryOperator<AgentUnderTest.Builder> agentOptions) {
    return new PackagedAgentExtension(agentOptions);
  }

  public static PackagedAgentExtension startedForEachTest() {
    return startedForEachTest(UnaryOperator.identity());
  }

  /** Nothing is started before the test; the test starts what it needs, and the extension closes it after. */
  public static PackagedAgentExtension startedByTest() {
    return new PackagedAgentExtension(null);
  }

  /**
   * The stub Consul listens on a port chosen up front and kept across {@link StubConsul#stop()} and
   * {@link StubConsul#restart()}: a Consul that comes back must be where the agent looks for it.
   */
  public PackagedAgentExtension consulOnFixedPort() {
    consulOnFixedPort = true;
    return this;
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    testClass = context.getRequiredTestClass().getSimpleName();
    if (eagerAgent != null) {
      try {
        start(eagerAgent);
      } catch (Exception failure) {
        throw withAgentLog(failure);
      } catch (AssertionError failure) {
        throw withAgentLog(failure);
      }
    }
  }

  /** The stand-in with a fresh upload folder, the stub Consul, the agent with these options; awaits registration. */
  public AgentUnderTest start(UnaryOperator<AgentUnderTest.Builder> agentOptions) throws IOException {
    startApp();
    startConsul();
    AgentUnderTest a = startAgent(agentOptions);
    a.awaitRegistered(consul, REGISTERED_WITHIN);
    return a;
  }

  public FilewcountStandIn startApp() {
    return startApp(FilewcountStandIn.start());
  }

  /** The stand-in storing uploads in this folder (the test plants files there or hands it to --uploads-dir). */
  public FilewcountStandIn startApp(Path uploads) {
    return startApp(FilewcountStandIn.start(uploads));
  }

  private FilewcountStandIn startApp(FilewcountStandIn standIn) {
    app = closeAfter(standIn);
    return app;
  }

  public StubConsul startConsul() throws IOException {
    consul = closeAfter(consulOnFixedPort ? new StubConsul(AgentUnderTest.freePort()) : new StubConsul());
    return consul;
  }

  /** The agent in front of the started stand-in, against the started stub; returns once the process runs. */
  public AgentUnderTest startAgent(UnaryOperator<AgentUnderTest.Builder> agentOptions) throws IOException {
    if (app == null || consul == null) {
      throw new IllegalStateException("start the stand-in and the stub Consul before the agent");
    }
    agent = closeAfter(agentOptions.apply(AgentUnderTest.builder(app.url(), consul.address(), AGENT_LOGS).logName(testClass))
        .start());
    return agent;
  }

  /** Closed after the test, before everything started earlier than it (the extension's stack). */
  public <C extends AutoCloseable> C closeAfter(C resource) {
    synchronized (started) {
      started.push(resource);
    }
    return resource;
  }

  public FilewcountStandIn app() {
    return requireStarted(app, "the stand-in");
  }

  public StubConsul consul() {
    return requireStarted(consul, "the stub Consul");
  }

  public AgentUnderTest agent() {
    return requireStarted(agent, "the agent");
  }

  private static <T> T requireStarted(T value, String what) {
    if (value == null) {
      throw new IllegalStateException(what + " is not started: start it first (startedByTest() starts nothing)");
    }
    return value;
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Exception first = null;
    while (true) {
      AutoCloseable next;
      synchronized (started) {
        next = started.poll();
      }
      if (next == null) {
        break;
      }
      try {
        next.close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    app = null;
    consul = null;
    agent = null;
    if (first != null) {
      throw first;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == AgentUnderTest.class || type == StubConsul.class || type == FilewcountStandIn.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    try {
      return type == AgentUnderTest.class ? agent() : type == StubConsul.class ? consul() : app();
    } catch (IllegalStateException e) {
      throw new ParameterResolutionException(e.getMessage(), e);
    }
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw withAgentLog(failure);
  }

  @Override
  public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw withAgentLog(failure);
  }

  @Override
  public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
    throw withAgentLog(failure);
  }

  <T extends Throwable> T withAgentLog(T failure) {
    if (agent != null) {
      String log;
      try {
        log = ContainerLogsOnFailure.tail(agent.log());
      } catch (IOException | UncheckedIOException e) {
        log = "(unreadable: " + e + ")";
      }
      failure.addSuppressed(new AgentLog(agent.logFile(), log));
    }
    return failure;
  }

  /** Carries the agent's log into the failure report; its stack trace says nothing, so none is kept. */
  static final class AgentLog extends Exception {
    AgentLog(Path file, String log) {
      super("log of the packaged agent (" + file.toAbsolutePath() + "):\n" + log, null, false, false);
    }
  }
}
