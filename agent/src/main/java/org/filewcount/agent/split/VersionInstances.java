package org.filewcount.agent.split;

/**
 * What Consul's health API says about one version of the service.
 *
 * @param total instances registered with this version in {@code Service.Meta.version}
 * @param passing instances whose checks are all passing (what a subset with OnlyPassing routes to)
 */
public record VersionInstances(String version, int total, int passing) {

  public boolean anyPassing() {
    return passing > 0;
  }

  public boolean allPassing() {
    return total > 0 && passing == total;
  }
}
