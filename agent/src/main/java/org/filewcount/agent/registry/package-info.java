/**
 * Keeping this instance's registration in Consul true (ADR 0002, 0003): the service and sidecar
 * definitions ({@code RegistrationPayload}), the loop that registers after the first passing probe, passes
 * the TTL check, re-registers what Consul lost and backs off while Consul is away ({@code RegistrationLoop},
 * {@code Backoff}), and its explicit {@code RegistrationState}.
 *
 * <p>May not: talk HTTP or import consul-client; it reaches Consul only through {@code consul.ConsulAgent}.
 */
package org.filewcount.agent.registry;
