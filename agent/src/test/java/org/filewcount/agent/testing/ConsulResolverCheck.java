package org.filewcount.agent.testing;

import static org.filewcount.agent.testing.ConsulEntryCheck.contains;
import static org.filewcount.agent.testing.ConsulEntryCheck.get;
import static org.filewcount.agent.testing.ConsulEntryCheck.iterable;
import static org.filewcount.agent.testing.ConsulEntryCheck.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** The service-resolver rules of ConsulEntryRules: subsets and filters, redirect, failover, load balancer. */
final class ConsulResolverCheck {

  private final ConsulEntryCheck c;

  ConsulResolverCheck(ConsulEntryCheck c) {
    this.c = c;
  }

  void run() {
    c.fields(c.entry, "service-resolver", "");
    JsonNode subsets = c.entry.path("Subsets");
    for (Map.Entry<String, JsonNode> s : iterable(subsets)) {
      String name = s.getKey();
      c.fields(s.getValue(), "Subset", "Subsets." + name);
      if (name.isEmpty() || name.length() > c.facts.path("subset_name_max_length").asInt()
          || !name.matches(c.facts.path("subset_name_regex").asText())) {
        c.problem("Subsets." + name, "Subset '" + name + "' is invalid: must be 63 characters or fewer, begin or end"
            + " with lower case alphanumeric characters, and contain lower case alphanumeric characters or '-'");
      }
      String filter = text(s.getValue(), "Filter");
      if (!filter.isEmpty()) {
        BexprFilter.problem(filter, c.facts.path("filter_selector_roots")).ifPresent(p ->
            c.problem("Subsets." + name + ".Filter", "Filter for subset '" + name + "' is not a valid expression: " + p));
      }
    }
    String defaultSubset = text(c.entry, "DefaultSubset");
    if (!defaultSubset.isEmpty() && !subsets.has(defaultSubset)) {
      c.problem("DefaultSubset", "DefaultSubset '" + defaultSubset + "' is not a valid subset");
    }
    c.duration(c.entry, "ConnectTimeout", "");
    c.duration(c.entry, "RequestTimeout", "");
    JsonNode redirect = c.entry.path("Redirect");
    if (redirect.isObject()) {
      c.fields(redirect, "Redirect", "Redirect");
      if (c.entry.path("Failover").size() > 0) {
        c.problem("Redirect", "Redirect and Failover cannot both be set");
      }
      if (!text(redirect, "ServiceSubset").isEmpty() && text(redirect, "Service").isEmpty()) {
        c.problem("Redirect", "Redirect.ServiceSubset defined without Redirect.Service");
      }
    }
    failover(subsets);
    loadBalancer(c.entry.path("LoadBalancer").isMissingNode() ? c.entry.path("load_balancer") : c.entry.path("LoadBalancer"));
  }

  private void failover(JsonNode subsets) {
    String self = c.entry.path("Name").asText();
    for (Map.Entry<String, JsonNode> f : iterable(c.entry.path("Failover"))) {
      String at = "Failover[" + f.getKey() + "]";
      JsonNode fo = f.getValue();
      c.fields(fo, "Failover", at);
      if (!f.getKey().equals("*") && !subsets.has(f.getKey())) {
        c.problem(at, "not a valid subset");
      }
      boolean empty = List.of("Service", "ServiceSubset", "Namespace", "SamenessGroup").stream()
          .allMatch(k -> text(fo, k).isEmpty()) && fo.path("Datacenters").isEmpty() && fo.path("Targets").isEmpty();
      if (empty) {
        c.problem(at, "one of Service, ServiceSubset, Namespace, Targets, or Datacenters is required");
      }
      String subset = text(fo, "ServiceSubset");
      if (!subset.isEmpty() && (text(fo, "Service").isEmpty() || text(fo, "Service").equals(self)) && !subsets.has(subset)) {
        c.problem(at, "ServiceSubset '" + subset + "' is not a valid subset of " + self);
      }
      boolean targets = fo.path("Targets").size() > 0;
      if (targets && (fo.path("Datacenters").size() > 0 || !subset.isEmpty() || !text(fo, "Service").isEmpty())) {
        c.problem(at, "Targets cannot be set with Datacenters, ServiceSubset or Service");
      }
      int i = 0;
      for (JsonNode t : fo.path("Targets")) {
        String tat = at + ".Targets[" + i++ + "]";
        c.fields(t, "FailoverTarget", tat);
        if (!text(t, "Peer").isEmpty() && (!text(t, "ServiceSubset").isEmpty() || !text(t, "Partition").isEmpty()
            || !text(t, "Datacenter").isEmpty())) {
          c.problem(tat, "Peer cannot be set with ServiceSubset, Partition or Datacenter");
        }
        if (!text(t, "Partition").isEmpty() && !text(t, "Datacenter").isEmpty()) {
          c.problem(tat, "Partition cannot be set with Datacenter");
        }
        String ts = text(t, "ServiceSubset");
        if (!ts.isEmpty() && (text(t, "Service").isEmpty() || text(t, "Service").equals(self)) && !subsets.has(ts)) {
          c.problem(tat, "ServiceSubset '" + ts + "' is not a valid subset of " + self);
        }
      }
      for (JsonNode dc : fo.path("Datacenters")) {
        if (dc.asText().isEmpty()) {
          c.problem(at, "Datacenters: found empty datacenter");
        }
      }
    }
  }

  private void loadBalancer(JsonNode lb) {
    if (!lb.isObject()) {
      return;
    }
    c.fields(lb, "LoadBalancer", "LoadBalancer");
    String policy = text(lb, "Policy");
    if (!contains(c.facts.path("lb_policies"), policy)) {
      c.problem("LoadBalancer", "Bad LoadBalancer policy: '" + policy + "' is not supported");
    }
    JsonNode ring = get(lb, "RingHashConfig");
    JsonNode least = get(lb, "LeastRequestConfig");
    c.fields(ring, "RingHashConfig", "LoadBalancer.RingHashConfig");
    c.fields(least, "LeastRequestConfig", "LoadBalancer.LeastRequestConfig");
    if (!ring.isMissingNode() && !policy.equals("ring_hash")) {
      c.problem("LoadBalancer", "RingHashConfig specified for incompatible load balancing policy '" + policy + "'");
    }
    if (!least.isMissingNode() && !policy.equals("least_request")) {
      c.problem("LoadBalancer", "LeastRequestConfig specified for incompatible load balancing policy '" + policy + "'");
    }
    JsonNode hashPolicies = get(lb, "HashPolicies");
    if (hashPolicies.size() > 0 && !contains(c.facts.path("hash_based_policies"), policy)) {
      c.problem("LoadBalancer", "HashPolicies specified for non-hash-based Policy: '" + policy + "'");
    }
    int i = 0;
    for (JsonNode hp : hashPolicies) {
      String at = "LoadBalancer.HashPolicies[" + i++ + "]";
      c.fields(hp, "HashPolicy", at);
      String field = text(hp, "Field");
      String value = text(hp, "FieldValue");
      boolean sourceIp = get(hp, "SourceIP").asBoolean(false);
      if (!field.isEmpty() && !contains(c.facts.path("hash_policy_fields"), field)) {
        c.problem(at, "'" + field + "' is not a supported field");
      }
      if (sourceIp && (!field.isEmpty() || !value.isEmpty())) {
        c.problem(at, "a policy hashing SourceIP cannot have a Field or FieldValue");
      }
      if (!field.isEmpty() && value.isEmpty()) {
        c.problem(at, "Field '" + field + "' was specified without a FieldValue");
      }
      if (!value.isEmpty() && field.isEmpty()) {
        c.problem(at, "FieldValue requires a Field to apply to");
      }
      JsonNode cookie = get(hp, "CookieConfig");
      if (!cookie.isMissingNode()) {
        c.fields(cookie, "CookieConfig", at + ".CookieConfig");
        if (!field.equals("cookie")) {
          c.problem(at, "cookie_config provided for '" + field + "'");
        }
        if (cookie.path("Session").asBoolean(false) && !text(cookie, "TTL").isEmpty()
            && !text(cookie, "TTL").matches("0+[a-z]*")) {
          c.problem(at, "a session cookie cannot have an associated TTL");
        }
        c.duration(cookie, "TTL", at + ".CookieConfig");
      }
    }
  }
}
