package org.filewcount.agent.uploads;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.filewcount.agent.config.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADR 0017: what upgrades of nomad/filewcount.nomad.hcl (count 3, canary 1, ephemeral_disk sticky +
 * migrate) keep of each instance's uploads, on a model of Nomad v1.10.5's placement, with the agent's real
 * {@link UploadsCarry} in every allocation talking to a loopback stand-in of Nomad's API:
 *
 * <ul>
 *   <li>a canary takes the name (index) of the lowest allocation being replaced and has no previous
 *       allocation, so it starts with an empty data dir (scheduler/reconcile.go computeCanaries,
 *       scheduler/reconcile_util.go NextCanaries);
 *   <li>on promotion, the old allocation with the canary's name is stopped as not needed and its data dir
 *       goes nowhere (reconcile.go computeStop); it stays readable through the client fs API until the
 *       client garbage-collects it (client/gc.go: over 80 % disk, 70 % inodes or 50 allocations);
 *   <li>the other old allocations are replaced by destructive updates that carry a previous allocation:
 *       sticky gives the replacement the old data dir on the same node (migrate copies it from another).
 * </ul>
 * Every agent makes its carry passes while it runs; each old agent leaves its last probe's file behind.
 */
class UploadsAcrossUpgradesTest {

  private static final String JOB = "filewcount";
  private static final String PROBE_TEXT = "filewcount agent probe %s: the quick brown fox jumps over the lazy dog"
      + " and the dog sleeps\n";

  @TempDir
  Path root;

  private final NomadFsStandIn nomad = new NomadFsStandIn(JOB);
  private String address;
  private boolean carry;
  private int allocations;
  private int seconds;
  /** index -> the allocation serving it now. */
  private final Map<Integer, Instance> current = new LinkedHashMap<>();
  /** index -> name -> the bytes a user stored there and should see listed. */
  private final Map<Integer, Map<String, String>> stored = new TreeMap<>();
  /** allocation -> name -> the bytes the app wrote into that allocation's folder (moved along by sticky). */
  private final Map<Instance, Map<String, String>> written = new LinkedHashMap<>();

  /** One allocation and its agent's carry. */
  private record Instance(NomadFsStandIn.Alloc alloc, UploadsCarry carry) {
    Path uploads() {
      return alloc.dir.resolve(UploadsCarryTest.SOURCE);
    }
  }

  @AfterEach
  void close() throws IOException {
    nomad.close();
  }

  private Instance place(int index) throws IOException {
    String id = "alloc-" + allocations++;
    NomadFsStandIn.Alloc a = nomad.add(id, "filewcount.filewcount[" + index + "]", root.resolve(id));
    NomadAllocFs fs = new NomadAllocFs(address, Optional.of(Secret.of(NomadFsStandIn.TOKEN)), Optional.empty(),
        Optional.empty(), Optional.empty());
    return new Instance(a, new UploadsCarry(fs, JOB, id, a.name, a.dir.resolve(UploadsCarryTest.SOURCE),
        UploadsCarryTest.SOURCE, Duration.ZERO, Duration.ofSeconds(15), Clock.systemUTC()));
  }

  /** Stops an allocation: its agent's last probe file stays (docs/agent.md), the folder stays until GC. */
  private void stop(Instance i) throws IOException {
    UploadsCarryTest.put(i.alloc().dir, stamp() + "-17-14.txt", String.format(PROBE_TEXT, "a".repeat(26)));
    i.alloc().clientStatus = "complete";
  }

  private String stamp() {
    seconds++;
    return String.format("20260105.%06d", seconds);
  }

  /** What the app does for an upload: a name from the second and the counts, overwriting an equal name. */
  private void upload(Instance i, int index, String name, String text) throws IOException {
    write(i, name, text);
    stored.computeIfAbsent(index, k -> new TreeMap<>()).put(name, text);
  }

  private void write(Instance i, String name, String text) throws IOException {
    UploadsCarryTest.put(i.alloc().dir, name, text);
    written.computeIfAbsent(i, k -> new TreeMap<>()).put(name, text);
  }

  private void upload(Instance i, int index, String text) throws IOException {
    upload(i, index, stamp() + "-2-2.txt", text);
  }

  /** Each running agent's pass (every 15 s in the real agent). */
  private void agentsPass(Instance... alsoRunning) {
    if (!carry) {
      return;
    }
    for (Instance i : current.values()) {
      i.carry().pass();
    }
    for (Instance i : alsoRunning) {
      i.carry().pass();
    }
  }

  /** One upgrade: one canary beside the old instances, uploads throughout, promotion, destructive updates. */
  private void upgrade(String version) throws IOException {
    Instance old0 = current.get(0);
    Instance canary = place(0);
    agentsPass(canary);
    // Both run: the old index 0 still takes uploads (the split sends it most traffic), so does the canary,
    // one under a name the old one has too (same counts, same second), of the same size, other bytes.
    upload(old0, 0, "during old " + version + "\n");
    upload(canary, 0, "during canary " + version + "\n");
    String same = stamp() + "-4-4.txt";
    write(old0, same, "same name, from old " + version + "\n");
    upload(canary, 0, same, "same name, from new " + version + "\n");
    agentsPass(canary);
    // Promotion: the old allocation named like the canary stops as not needed; the canary serves index 0.
    stop(old0);
    current.put(0, canary);
    agentsPass();
    for (int i = 1; i < 3; i++) {
      Instance previous = current.get(i);
      stop(previous);
      Instance next = place(i);
      // Sticky: the replacement takes over the previous allocation's data dir (same node).
      Path into = next.uploads();
      Files.delete(into);
      Files.move(previous.uploads(), into);
      Files.createDirectories(previous.uploads()); // what is left of the old allocation's data dir
      written.put(next, written.remove(previous));
      current.put(i, next);
      agentsPass();
      upload(next, i, "after " + version + " " + i + "\n");
    }
    agentsPass();
  }

  private void fullRollouts() throws IOException {
    address = nomad.startHttp();
    for (int i = 0; i < 3; i++) {
      current.put(i, place(i));
    }
    for (int i = 0; i < 3; i++) {
      upload(current.get(i), i, "before " + i + "\n");
    }
    agentsPass();
    upgrade("2.0");
    upgrade("3.0");
  }

  private Map<Integer, Map<String, String>> listed() throws IOException {
    Map<Integer, Map<String, String>> out = new TreeMap<>();
    for (Map.Entry<Integer, Instance> e : current.entrySet()) {
      out.put(e.getKey(), UploadsCarryTest.contents(e.getValue().uploads()));
    }
    return out;
  }

  @Test
  void withoutTheCarryEachUpgradeLosesTheUploadsOfTheInstanceItsCanaryReplaces() throws Exception {
    carry = false;
    fullRollouts();

    Map<Integer, Map<String, String>> listed = listed();
    assertThat(listed.get(1)).containsAllEntriesOf(stored.get(1));
    assertThat(listed.get(2)).containsAllEntriesOf(stored.get(2));
    java.util.Set<String> lost = new java.util.TreeSet<>(stored.get(0).keySet());
    lost.removeAll(listed.get(0).keySet());
    assertThat(lost).as("index 0: all but what its last canary stored")
        .hasSize(5).contains("20260105.000001-2-2.txt", "20260105.000005-2-2.txt");
    assertThat(listed.get(0)).containsOnlyKeys("20260105.000013-2-2.txt", "20260105.000014-4-4.txt");
    assertThat(stored.get(0)).hasSize(7);
  }

  @Test
  void withTheCarryEveryStoredUploadOfEveryInstanceIsStillListedByteForByteAfterFullRollouts() throws Exception {
    carry = true;
    fullRollouts();

    Map<Integer, Map<String, String>> listed = listed();
    for (int i = 0; i < 3; i++) {
      assertThat(listed.get(i)).as("instance %d after two full rollouts", i).containsAllEntriesOf(stored.get(i));
    }
    // Nothing the app wrote was changed or removed, in any allocation, stopped ones included.
    for (Map.Entry<Instance, Map<String, String>> w : written.entrySet()) {
      assertThat(UploadsCarryTest.contents(w.getKey().uploads())).as("allocation %s", w.getKey().alloc().id)
          .containsAllEntriesOf(w.getValue());
    }
    // The carry brings no agent's probe file (sticky does: the one a stopped agent left, docs/agent.md).
    assertThat(listed.get(0).values()).as("index 0, carried twice, lists no agent's probe file")
        .noneMatch(text -> text.startsWith("filewcount agent probe "));
    assertThat(listed.get(0)).as("index 0: the canary's file kept where the old instance had the same name")
        .containsValue("same name, from new 2.0\n").doesNotContainValue("same name, from old 2.0\n");
  }
}
