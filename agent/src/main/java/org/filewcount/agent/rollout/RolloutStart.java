package org.filewcount.agent.rollout;

import java.math.BigDecimal;
import java.util.Optional;
import org.filewcount.agent.split.TrafficControl;
import org.filewcount.agent.split.TrafficState;
import org.filewcount.agent.split.VersionInstances;

/**
 * Where a rollout starts, checked before anything changes: the canary and stable versions resolved and
 * each with a passing instance, the canary's current share, and (with --nomad) a running deployment.
 * Every problem is a {@link RolloutRefusedException} or, for the versions (worded once for {@code shift} and
 * {@code rollout}), a {@link org.filewcount.agent.split.SplitRefusedException}: exit 2, saying what to do first.
 */
record RolloutStart(String stable, String canary, BigDecimal canaryWeight, Optional<NomadDeployments.Deployment> deployment) {

  static RolloutStart check(RolloutPlan plan, TrafficControl traffic, Optional<NomadDeployments> nomad) {
    TrafficState state = traffic.read(plan.service());
    TrafficState.Canary versions = state.canary(plan.canary());
    String canary = versions.version();
    state.requirePassing(canary);
    String stable = versions.stable();
    if (state.instances(stable).filter(VersionInstances::anyPassing).isEmpty()) {
      throw new RolloutRefusedException("stable version " + stable + " has no passing instance, so there is nothing to"
          + " roll back to: fix it first, or shift by hand");
    }
    BigDecimal weight = state.split().map(s -> s.weight(canary)).orElse(BigDecimal.ZERO);
    Optional<NomadDeployments.Deployment> deployment = Optional.empty();
    if (nomad.isPresent()) {
      String job = plan.nomadJob().orElse(plan.service());
      NomadDeployments.Deployment d = nomad.get().latest(job).orElseThrow(() -> new RolloutRefusedException(
          "Nomad job " + job + " has no deployment: run the canaries first (nomad job run ...)"));
      if (!"running".equals(d.status()) && !"paused".equals(d.status())) {
        throw new RolloutRefusedException("Nomad job " + job + "'s latest deployment " + d.id() + " is " + d.status()
            + ", not running: deploy the new version as canaries first (nomad job run -var version=...)");
      }
      deployment = Optional.of(d);
    }
    return new RolloutStart(stable, canary, weight, deployment);
  }
}
