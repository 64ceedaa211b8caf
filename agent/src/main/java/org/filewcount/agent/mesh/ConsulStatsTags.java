package org.filewcount.agent.mesh;

import io.envoyproxy.envoy.config.metrics.v3.TagSpecifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The stats tags {@code consul connect envoy} puts into every bootstrap, so that Envoy's metrics carry the same
 * labels as in any other Consul mesh (dashboards and alerts written for Consul's Envoy metrics work unchanged):
 * regex tags that cut Consul's cluster and listener names (<subset>.<service>.<namespace>.<partition>.<dc>.
 * internal.<trust domain>.consul) into labels, then fixed tags naming the proxy's own service.
 *
 * <p>Facts from hashicorp/consul, command/connect/envoy/bootstrap_config.go ({@code resourceTagSpecifiers} and
 * {@code generateStatsTags}), read at commit 2d8ff1097949175e987afc5cc3a6e7ca369f6c17, the newest version
 * the source index holds (the v1.22.7 tag itself could not be checked out here: ADR 0015). Consul keeps the
 * tags it deprecated in 1.9 unless {@code -omit-deprecated-tags} is given, so we keep them too.
 * ConsulBootstrapCrossCheckTest compares this list with those facts.
 */
final class ConsulStatsTags {

  /** Regex tags, in Consul's order: current ones first, then the deprecated {@code consul.*} ones. */
  static final List<TagSpecifier> REGEX_TAGS = List.of(
      tag("consul.destination.custom_hash",
          "^cluster\\.(?:passthrough~)?((?:([^.]+)~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.[^.]+\\.consul\\.)"),
      tag("consul.destination.service_subset",
          "^cluster\\.(?:passthrough~)?((?:[^.]+~)?(?:([^.]+)\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.[^.]+\\.consul\\.)"),
      tag("consul.destination.service",
          "^cluster\\.(?:passthrough~)?((?:[^.]+~)?(?:[^.]+\\.)?([^.]+)\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.[^.]+\\.consul\\.)"),
      tag("consul.destination.namespace",
          "^cluster\\.(?:passthrough~)?((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.([^.]+)\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.[^.]+\\.consul\\.)"),
      tag("consul.destination.partition",
          "^cluster\\.(?:passthrough~)?((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:([^.]+)\\.)?[^.]+\\.internal[^.]*\\.[^.]+\\.consul\\.)"),
      tag("consul.destination.datacenter",
          "^cluster\\.(?:passthrough~)?((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?([^.]+)\\.internal[^.]*\\.[^.]+\\.consul\\.)"),
      tag("consul.destination.peer",
          "^cluster\\.([^.]+\\.(?:[^.]+\\.)?([^.]+)\\.external\\.[^.]+\\.consul\\.)"),
      tag("consul.destination.routing_type",
          "^cluster\\.(?:passthrough~)?((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.([^.]+)\\.[^.]+\\.consul\\.)"),
      tag("consul.destination.trust_domain",
          "^cluster\\.(?:passthrough~)?((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.([^.]+)\\.consul\\.)"),
      tag("consul.destination.target",
          "^cluster\\.(?:passthrough~)?(((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+)\\.[^.]+\\.[^.]+\\.consul\\.)"),
      tag("consul.destination.full_target",
          "^cluster\\.(?:passthrough~)?(((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.[^.]+)\\.consul\\.)"),
      tag("consul.upstream.service",
          "^(?:tcp|http)\\.upstream(?:_peered)?\\.(([^.]+)(?:\\.[^.]+)?(?:\\.[^.]+)?\\.[^.]+\\.)"),
      tag("consul.upstream.datacenter",
          "^(?:tcp|http)\\.upstream\\.([^.]+(?:\\.[^.]+)?(?:\\.[^.]+)?\\.([^.]+)\\.)"),
      tag("consul.upstream.peer",
          "^(?:tcp|http)\\.upstream_peered\\.([^.]+(?:\\.[^.]+)?\\.([^.]+)\\.)"),
      tag("consul.upstream.namespace",
          "^(?:tcp|http)\\.upstream(?:_peered)?\\.([^.]+(?:\\.([^.]+))?(?:\\.[^.]+)?\\.[^.]+\\.)"),
      tag("consul.upstream.partition",
          "^(?:tcp|http)\\.upstream\\.([^.]+(?:\\.[^.]+)?(?:\\.([^.]+))?\\.[^.]+\\.)"),
      tag("consul.custom_hash",
          "^cluster\\.((?:([^.]+)~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.[^.]+\\.consul\\.)"),
      tag("consul.service_subset",
          "^cluster\\.((?:[^.]+~)?(?:([^.]+)\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.[^.]+\\.consul\\.)"),
      tag("consul.service",
          "^cluster\\.((?:[^.]+~)?(?:[^.]+\\.)?([^.]+)\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.[^.]+\\.consul\\.)"),
      tag("consul.namespace",
          "^cluster\\.((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.([^.]+)\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.[^.]+\\.consul\\.)"),
      tag("consul.datacenter",
          "^cluster\\.((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?([^.]+)\\.internal[^.]*\\.[^.]+\\.consul\\.)"),
      tag("consul.routing_type",
          "^cluster\\.((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.([^.]+)\\.[^.]+\\.consul\\.)"),
      tag("consul.trust_domain",
          "^cluster\\.((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.([^.]+)\\.consul\\.)"),
      tag("consul.target",
          "^cluster\\.(((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+)\\.[^.]+\\.[^.]+\\.consul\\.)"),
      tag("consul.full_target",
          "^cluster\\.(((?:[^.]+~)?(?:[^.]+\\.)?[^.]+\\.[^.]+\\.(?:[^.]+\\.)?[^.]+\\.[^.]+\\.[^.]+)\\.consul\\.)"));

  private ConsulStatsTags() {}

  /**
   * Every tag of a sidecar's bootstrap: the regex tags, then Consul's fixed tags (local_cluster and
   * consul.source.*) for the service the sidecar fronts.
   */
  static List<TagSpecifier> forSidecar(String service, String namespace, String partition, String datacenter) {
    List<TagSpecifier> tags = new ArrayList<>(REGEX_TAGS);
    tags.add(fixed("local_cluster", service));
    tags.add(fixed("consul.source.service", service));
    tags.add(fixed("consul.source.namespace", namespace));
    tags.add(fixed("consul.source.partition", partition));
    tags.add(fixed("consul.source.datacenter", datacenter));
    return List.copyOf(tags);
  }

  private static TagSpecifier tag(String name, String regex) {
    return TagSpecifier.newBuilder().setTagName(name).setRegex(regex).build();
  }

  private static TagSpecifier fixed(String name, String value) {
    return TagSpecifier.newBuilder().setTagName(name).setFixedValue(value).build();
  }
}
