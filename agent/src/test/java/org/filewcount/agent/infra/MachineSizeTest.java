package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.filewcount.agent.infra.NomadJobs.block;
import static org.filewcount.agent.infra.NomadJobs.labelled;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/**
 * The minimum machine: what the three jobs reserve while a canary runs, computed from the job files the way
 * Nomad's scheduler adds them up, is what scripts/doctor checks and what docs/setup.md states.
 */
class MachineSizeTest {

  /** CPU in MHz, memory and disk in MiB (Nomad's MB). */
  record Reservation(int cpu, int memory, int disk) {
    Reservation plus(Reservation o) {
      return new Reservation(cpu + o.cpu, memory + o.memory, disk + o.disk);
    }

    Reservation max(Reservation o) {
      return new Reservation(Math.max(cpu, o.cpu), Math.max(memory, o.memory), Math.max(disk, o.disk));
    }

    Reservation times(int n) {
      return new Reservation(cpu * n, memory * n, disk * n);
    }
  }

  // Nomad gives a group without an ephemeral_disk block 300 MB (hashicorp/nomad v1.10.5 nomad/structs/structs.go
  // DefaultEphemeralDisk).
  private static final int DEFAULT_DISK_MB = 300;

  @Test
  void doctorAndTheDocsStateWhatTheJobsReserveDuringACanary() throws Exception {
    Reservation total = job("nomad/filewcount.nomad.hcl", "filewcount", true)
        .plus(job("nomad/gateway.nomad.hcl", "filewcount-gateway", false))
        .plus(job("nomad/observability.nomad.hcl", "observability", false));

    String doctor = RepoFiles.read("scripts/doctor");
    assertThat(constant(doctor, "RESERVED_CPU_MHZ")).as("RESERVED_CPU_MHZ in scripts/doctor").isEqualTo(total.cpu());
    assertThat(constant(doctor, "RESERVED_MEMORY_MIB")).as("RESERVED_MEMORY_MIB in scripts/doctor").isEqualTo(total.memory());
    assertThat(constant(doctor, "RESERVED_DISK_MIB")).as("RESERVED_DISK_MIB in scripts/doctor").isEqualTo(total.disk());

    String setup = RepoFiles.read("docs/setup.md");
    assertThat(setup).contains(total.cpu() + " MHz").contains(total.memory() + " MiB").contains(total.disk() + " MiB");
  }

  /** Every group of JOB: count (plus the canaries when CANARIES) times the reservation of one allocation. */
  private static Reservation job(String path, String name, boolean canaries) throws Exception {
    JsonNode file = Hcl2Json.parse(path);
    JsonNode job = labelled(file, "job", name);
    Reservation sum = new Reservation(0, 0, 0);
    for (Iterator<Map.Entry<String, JsonNode>> it = job.path("group").fields(); it.hasNext(); ) {
      JsonNode group = it.next().getValue().get(0);
      int count = group.has("count") ? number(file, group.path("count")) : 1;
      if (canaries && job.has("update")) {
        count += number(file, block(job, "update").path("canary"));
      }
      sum = sum.plus(allocation(file, group).times(count));
    }
    return sum;
  }

  /**
   * One allocation, as Nomad compares it with a node: prestart tasks that are not sidecars run before the main
   * tasks, so per dimension the larger of the two counts (hashicorp/nomad v1.10.5 nomad/structs/structs.go
   * AllocatedResources.Comparable). A Connect gateway's task is a main task with the sidecar_task resources.
   */
  private static Reservation allocation(JsonNode file, JsonNode group) {
    Reservation main = new Reservation(0, 0, 0);
    Reservation prestart = new Reservation(0, 0, 0);
    for (Iterator<Map.Entry<String, JsonNode>> it = group.path("task").fields(); it.hasNext(); ) {
      JsonNode task = it.next().getValue().get(0);
      Reservation r = resources(file, block(task, "resources"));
      JsonNode lifecycle = task.path("lifecycle");
      boolean ephemeralPrestart = lifecycle.isArray() && lifecycle.get(0).path("hook").asText().equals("prestart")
          && !lifecycle.get(0).path("sidecar").asBoolean(false);
      if (ephemeralPrestart) {
        prestart = prestart.plus(r);
      } else {
        main = main.plus(r);
      }
    }
    for (JsonNode service : group.path("service")) {
      JsonNode sidecarTask = service.path("connect").path(0).path("sidecar_task").path(0);
      if (sidecarTask.has("resources")) {
        main = main.plus(resources(file, block(sidecarTask, "resources")));
      }
    }
    int disk = group.has("ephemeral_disk") ? block(group, "ephemeral_disk").path("size").asInt() : DEFAULT_DISK_MB;
    return main.max(prestart).plus(new Reservation(0, 0, disk));
  }

  private static Reservation resources(JsonNode file, JsonNode resources) {
    return new Reservation(number(file, resources.path("cpu")), number(file, resources.path("memory")), 0);
  }

  /** A literal, or "${var.x}" / "${var.x.y}" resolved to the variable's default. */
  private static int number(JsonNode file, JsonNode value) {
    if (value.isNumber()) {
      return value.asInt();
    }
    Matcher ref = Pattern.compile("\\$\\{var\\.([a-z_]+)(?:\\.([a-z_]+))?}").matcher(value.asText());
    assertThat(ref.matches()).as("a number or a variable: " + value).isTrue();
    JsonNode def = NomadJobs.variableDefault(file, ref.group(1));
    return (ref.group(2) == null ? def : def.path(ref.group(2))).asInt();
  }

  private static int constant(String script, String name) {
    Matcher m = Pattern.compile("(?m)^" + name + "=(\\d+)$").matcher(script);
    assertThat(m.find()).as(name).isTrue();
    return Integer.parseInt(m.group(1));
  }
}
