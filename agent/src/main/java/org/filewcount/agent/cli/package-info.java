/**
 * The command line: one picocli command class per verb ({@code run}, {@code status}, {@code shift},
 * {@code rollout ...}, {@code envoy-bootstrap}, {@code version}), each the composition root of what it
 * runs, and {@code Main}, the one place that maps exceptions to exit codes (0 success, 1 runtime failure,
 * 2 usage or configuration error).
 *
 * <p>May not: hold domain logic other commands or the running agent need; that lives in the capability
 * packages the commands wire together.
 */
package org.filewcount.agent.cli;
