/**
 * Settings as values: the agent's configuration ({@code AgentConfig}), Consul's address, token and CA
 * ({@code ConsulSettings} from CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN(_FILE), CONSUL_CACERT), secrets that
 * never print ({@code Secret}), PEM trust, durations and host:port parsing.
 *
 * <p>{@code ConfigException} (exit 2) belongs to parsing and validating configuration; nothing here does
 * I/O beyond reading the files a setting names. May not depend on any other agent package.
 */
package org.filewcount.agent.config;
