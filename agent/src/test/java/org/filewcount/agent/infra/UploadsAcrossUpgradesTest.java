package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADR 0017: what an upgrade of nomad/filewcount.nomad.hcl (count 3, canary 1, ephemeral_disk sticky +
 * migrate) keeps of each instance's uploads, on a model of Nomad v1.10.5's placement:
 *
 * <ul>
 *   <li>a canary takes the name (index) of the lowest allocation being replaced and has no previous
 *       allocation, so it starts with an empty data dir (scheduler/reconcile.go computeCanaries,
 *       scheduler/reconcile_util.go NextCanaries);
 *   <li>on promotion, the old allocation with the canary's name is stopped as not needed and its data dir
 *       goes nowhere (reconcile.go computeStop);
 *   <li>the other old allocations are replaced by destructive updates that carry a previous allocation:
 *       sticky gives the replacement the old data dir on the same node (migrate copies it from another).
 * </ul>
 * The first test measures what the job keeps today; the second the carry ADR 0017 decided on (copy every
 * missing file from the same-name allocation until it has stopped, never overwriting), modelled here, not
 * yet done by the agent.
 */
class UploadsAcrossUpgradesTest {

  @TempDir
  Path root;

  private int allocations;

  /** One Nomad allocation of the group: its name index and its data dir (alloc/data/uploads). */
  private record Alloc(int index, String version, Path uploads) {}

  private Alloc place(int index, String version) throws IOException {
    return new Alloc(index, version, Files.createDirectories(root.resolve("alloc-" + allocations++ + "/uploads")));
  }

  /** Sticky: the replacement on the same node takes over the previous allocation's data dir. */
  private Alloc destructiveUpdate(Alloc previous, String version) throws IOException {
    Path dir = root.resolve("alloc-" + allocations++);
    Files.createDirectories(dir);
    return new Alloc(previous.index(), version, Files.move(previous.uploads(), dir.resolve("uploads")));
  }

  private static void upload(Alloc a, String name, String text) throws IOException {
    Files.writeString(a.uploads().resolve(name), text); // the app's write, overwrite quirk included
  }

  private record Outcome(Map<Integer, Set<String>> stored, Map<Integer, Set<String>> listed, int conflicts) {}

  /** v1.0 (3 instances) -> v2.0 with one canary, uploads before, during and after the canary phase. */
  private Outcome rollout(boolean carry) throws IOException {
    Map<Integer, Set<String>> stored = new LinkedHashMap<>();
    List<Alloc> v1 = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Alloc a = place(i, "1.0");
      v1.add(a);
      upload(a, "20260105.10000" + i + "-2-2.txt", "before " + i + "\n");
      stored.computeIfAbsent(i, k -> new TreeSet<>()).add("20260105.10000" + i + "-2-2.txt");
    }
    // The canary: index 0 (the lowest being replaced), no previous allocation, empty.
    Alloc canary = place(0, "2.0");
    int conflicts = 0;
    if (carry) {
      conflicts += copyMissing(v1.get(0), canary);
    }
    // Both run: the old index 0 still takes uploads (the split sends it most traffic), so does the canary,
    // one of them under a name the old one has too (same counts, same second, another instance).
    upload(v1.get(0), "20260105.110000-3-3.txt", "during old\n");
    upload(canary, "20260105.110001-3-3.txt", "during canary\n");
    upload(v1.get(0), "20260105.110002-4-4.txt", "same name, old instance\n");
    upload(canary, "20260105.110002-4-4.txt", "same name, canary\n");
    stored.get(0).addAll(List.of("20260105.110000-3-3.txt", "20260105.110001-3-3.txt", "20260105.110002-4-4.txt"));
    if (carry) {
      conflicts += copyMissing(v1.get(0), canary);
    }
    // Promotion: the old allocation named like the canary stops; its directory stays readable until GC.
    if (carry) {
      conflicts += copyMissing(v1.get(0), canary); // the pass after it stopped
    }
    Map<Integer, Alloc> current = new LinkedHashMap<>();
    current.put(0, canary);
    for (int i = 1; i < 3; i++) {
      current.put(i, destructiveUpdate(v1.get(i), "2.0"));
      upload(current.get(i), "20260105.12000" + i + "-5-5.txt", "after " + i + "\n");
      stored.get(i).add("20260105.12000" + i + "-5-5.txt");
    }
    Map<Integer, Set<String>> listed = new LinkedHashMap<>();
    for (Map.Entry<Integer, Alloc> e : current.entrySet()) {
      listed.put(e.getKey(), list(e.getValue().uploads()));
    }
    return new Outcome(stored, listed, conflicts);
  }

  @Test
  void todayTheInstanceEachCanaryReplacesLosesItsUploadsAndTheOthersKeepTheirs() throws Exception {
    Outcome o = rollout(false);

    assertThat(o.listed().get(1)).containsAll(o.stored().get(1));
    assertThat(o.listed().get(2)).containsAll(o.stored().get(2));
    Set<String> lost = new TreeSet<>(o.stored().get(0));
    lost.removeAll(o.listed().get(0));
    assertThat(lost).as("index 0: everything the old instance stored")
        .containsExactly("20260105.100000-2-2.txt", "20260105.110000-3-3.txt");
  }

  @Test
  void carryingFromTheSameNameAllocationUntilItStopsKeepsEveryUploadAndOverwritesNothing() throws Exception {
    Outcome o = rollout(true);

    for (int i = 0; i < 3; i++) {
      assertThat(o.listed().get(i)).as("instance %d after the full rollout", i).containsAll(o.stored().get(i));
    }
    assertThat(Files.readString(root.resolve("alloc-3/uploads/20260105.110002-4-4.txt"), StandardCharsets.UTF_8))
        .as("a name the canary had already keeps the canary's file").isEqualTo("same name, canary\n");
    assertThat(o.conflicts()).as("that name counted as a conflict on each pass").isEqualTo(2);
  }

  /** The carry: create-new only, so an existing file is never replaced; returns the names already taken. */
  private static int copyMissing(Alloc from, Alloc to) throws IOException {
    int conflicts = 0;
    for (String name : list(from.uploads())) {
      Path target = to.uploads().resolve(name);
      byte[] bytes = Files.readAllBytes(from.uploads().resolve(name));
      if (Files.exists(target)) {
        if (!java.util.Arrays.equals(Files.readAllBytes(target), bytes)) {
          conflicts++;
        }
        continue;
      }
      try {
        Files.write(target, bytes, java.nio.file.StandardOpenOption.CREATE_NEW);
      } catch (FileAlreadyExistsException e) {
        conflicts++; // the app wrote that name in between: the app's file wins
      }
    }
    return conflicts;
  }

  private static Set<String> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return new TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
    }
  }
}
