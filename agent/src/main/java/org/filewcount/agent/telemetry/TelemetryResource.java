package org.filewcount.agent.telemetry;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.semconv.DeploymentAttributes;
import io.opentelemetry.semconv.ServiceAttributes;
import java.util.Map;
import org.filewcount.agent.config.InstanceIdentity;

/**
 * The resource every span and metric of this agent carries. service.name, service.version and
 * service.instance.id come from the agent's own identity (the same values Consul holds), so a
 * series, a trace and a catalog entry always name the same instance; everything else the operator
 * set through OTEL_RESOURCE_ATTRIBUTES is kept.
 */
final class TelemetryResource {

  private static final Map<String, AttributeKey<String>> FROM_META = Map.of(
      InstanceIdentity.META_AGENT_VERSION, TelemetryAttributes.AGENT_VERSION,
      InstanceIdentity.META_NODE, TelemetryAttributes.HOST_NAME,
      InstanceIdentity.META_ALLOC_ID, TelemetryAttributes.NOMAD_ALLOC_ID,
      InstanceIdentity.META_JOB, TelemetryAttributes.NOMAD_JOB,
      InstanceIdentity.META_GROUP, TelemetryAttributes.NOMAD_GROUP,
      InstanceIdentity.META_DC, TelemetryAttributes.NOMAD_DATACENTER);

  private TelemetryResource() {}

  /** {@code configured} (from OTEL_* settings) with the agent's identity on top. */
  static Resource of(Resource configured, String service, InstanceIdentity identity) {
    AttributesBuilder b = Attributes.builder()
        .put(ServiceAttributes.SERVICE_NAME, service)
        .put(ServiceAttributes.SERVICE_VERSION, identity.version())
        .put(ServiceAttributes.SERVICE_INSTANCE_ID, identity.instanceId());
    FROM_META.forEach((metaKey, attribute) -> {
      String value = identity.meta().get(metaKey);
      if (value != null && !value.isBlank()) {
        b.put(attribute, value);
      }
    });
    // semconv 1.27 renamed deployment.environment; accept the old key from older deployment files.
    String oldEnvironment = configured.getAttribute(TelemetryAttributes.DEPLOYMENT_ENVIRONMENT_OLD);
    if (configured.getAttribute(DeploymentAttributes.DEPLOYMENT_ENVIRONMENT_NAME) == null && oldEnvironment != null) {
      b.put(DeploymentAttributes.DEPLOYMENT_ENVIRONMENT_NAME, oldEnvironment);
    }
    return configured.merge(Resource.create(b.build()));
  }
}
