package org.filewcount.agent.rollout;

import java.util.Optional;

/** The Nomad deployment calls a rollout makes: find the canary deployment, then promote or fail it. */
public interface NomadDeployments {

  /**
   * @param status running, successful, failed, paused, cancelled, ...
   * @param requiresPromotion some task group has canaries waiting for promotion
   */
  record Deployment(String id, String jobId, long jobVersion, String status, String statusDescription,
      boolean requiresPromotion) {}

  /** The job's most recent deployment ({@code GET /v1/job/:job_id/deployment}). */
  Optional<Deployment> latest(String job);

  /** {@code POST /v1/deployment/promote/:id} with {@code All=true}: canaries become the job's allocations. */
  void promote(String deploymentId);

  /** {@code POST /v1/deployment/fail/:id}: with auto_revert Nomad returns the job to its last stable version. */
  void fail(String deploymentId);

  String describe();
}
