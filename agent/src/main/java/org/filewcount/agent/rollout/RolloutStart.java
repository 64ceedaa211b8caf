package org.filewcount.agent.rollout;

import org.filewcount.agent.split.Split;
import org.filewcount.agent.split.TrafficControl;
import org.filewcount.agent.split.TrafficState;
import org.filewcount.agent.split.VersionInstances;
import java.math.BigDecimal;
import java.util.Optional;
import org.filewcount.agent.config.ConfigException;

/**
 * Where a rollout starts, checked before anything changes: the canary and stable versions resolved and
 * each with a passing instance, the canary's current share, and (with --nomad) a running deployment.
 * Every problem is a {@link ConfigException} (exit 2) that says what to do first.
 */
record RolloutStart(String stable, String canary, BigDecimal canaryWeight, Optional<NomadDeployments.Deployment> deployment) {

  static RolloutStart check(RolloutPlan plan, TrafficControl traffic, Optional<NomadDeployments> nomad) {
    TrafficState state = traffic.read(plan.service());
    if (!state.serviceKnown()) {
      state.validate(Split.all(plan.canary()), false); // throws the unknown-service error
    }
    String canary = state.resolveVersion(plan.canary()).orElseThrow(() -> new ConfigException("unknown version '"
        + plan.canary() + "' of " + plan.service() + ": no instance has it (known: " + state.describeInstances()
        + "). Deploy the canaries first (nomad job run ...)"));
    VersionInstances ci = state.instances(canary).orElseThrow();
    if (!ci.anyPassing()) {
      throw new ConfigException("canary version " + canary + " has " + ci.total() + " instance(s) but none passing:"
          + " wait until they pass (filewcount-agent status) before rolling out");
    }
    String stable = state.stableExcluding(canary).orElseThrow(() -> new ConfigException("cannot tell which version is"
        + " stable (instances: " + state.describeInstances() + "): set it first with shift --weight STABLE=100"));
    VersionInstances si = state.instances(stable).orElse(new VersionInstances(stable, 0, 0));
    if (!si.anyPassing()) {
      throw new ConfigException("stable version " + stable + " has no passing instance, so there is nothing to roll"
          + " back to: fix it first, or shift by hand");
    }
    BigDecimal weight = state.split().map(s -> s.weight(canary)).orElse(BigDecimal.ZERO);
    Optional<NomadDeployments.Deployment> deployment = Optional.empty();
    if (nomad.isPresent()) {
      String job = plan.nomadJob().orElse(plan.service());
      NomadDeployments.Deployment d = nomad.get().latest(job).orElseThrow(() -> new ConfigException(
          "Nomad job " + job + " has no deployment: run the canaries first (nomad job run ...)"));
      if (!"running".equals(d.status()) && !"paused".equals(d.status())) {
        throw new ConfigException("Nomad job " + job + "'s latest deployment " + d.id() + " is " + d.status()
            + ", not running: deploy the new version as canaries first (nomad job run -var version=...)");
      }
      deployment = Optional.of(d);
    }
    return new RolloutStart(stable, canary, weight, deployment);
  }
}
