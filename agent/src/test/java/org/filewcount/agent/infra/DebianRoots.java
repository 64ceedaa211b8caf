package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Throwaway Debian bookworm roots for the roles to converge into, reached with Ansible's chroot connection.
 * One minimal root (debootstrap --variant=minbase plus {@link #INCLUDE}) is made once and kept under
 * target/; each test run copies it, so every converge starts
 * from a clean system. The .deb files apt downloads are kept beside it and put back into each new root,
 * so only the first run downloads packages. Needs root (debootstrap, chroot, mount).
 */
final class DebianRoots implements AutoCloseable {

  /** Debian's mirror; DEBIAN_MIRROR overrides it (a local mirror or proxy). */
  private static final String MIRROR = System.getenv().getOrDefault("DEBIAN_MIRROR", "http://deb.debian.org/debian");
  /** python3 and python3-apt for Ansible's modules (its apt module would install python3-apt itself), systemd as on any VM. */
  private static final String INCLUDE = "python3,python3-apt,systemd";

  private final Path cache;
  private final List<Path> mounted = new ArrayList<>();

  DebianRoots(Path cache) {
    this.cache = cache;
  }

  /** A fresh copy of the minimal root at dir, with what a root needs to install packages offline from services. */
  Path fresh(Path dir) throws IOException, InterruptedException {
    Path pristine = pristine();
    if (Files.exists(dir)) {
      // A run that died may have left /proc mounted: unmount first, and never let rm cross into a mount.
      if (Commands.run(cache, Map.of(), Duration.ofSeconds(10), "util-linux",
          List.of("mountpoint", "-q", dir.resolve("proc").toString())).ok()) {
        run(List.of("umount", "--lazy", dir.resolve("proc").toString()));
      }
      run(List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }
    run(List.of("cp", "-a", pristine.toString(), dir.toString()));
    // Packages must not start services in a root that is not running (Debian's policy-rc.d convention);
    // without a running systemd, Docker's maintainer scripts start nothing either way.
    Path policy = dir.resolve("usr/sbin/policy-rc.d");
    Files.writeString(policy, "#!/bin/sh\n# no service starts inside this test root\nexit 101\n");
    Files.setPosixFilePermissions(policy, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.copy(Path.of("/etc/resolv.conf"), dir.resolve("etc/resolv.conf"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Path archives = dir.resolve("var/cache/apt/archives");
    for (Path deb : debs(debCache())) {
      Files.copy(deb, archives.resolve(deb.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    // The JVM (the Java package's maintainer scripts, the agent) refuses to run without /proc.
    run(List.of("mount", "-t", "proc", "proc", dir.resolve("proc").toString()));
    mounted.add(dir.resolve("proc"));
    return dir;
  }

  /** Keeps the packages the converge downloaded into root for the next run. */
  void keepDownloadedPackages(Path root) throws IOException {
    for (Path deb : debs(root.resolve("var/cache/apt/archives"))) {
      Path kept = debCache().resolve(deb.getFileName());
      if (!Files.exists(kept)) {
        Files.copy(deb, kept);
      }
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    for (Path proc : mounted) {
      run(List.of("umount", "--lazy", proc.toString()));
    }
    mounted.clear();
  }

  private Path pristine() throws IOException, InterruptedException {
    Path pristine = cache.resolve("bookworm-minbase");
    Path done = cache.resolve("bookworm-minbase.complete");
    String recipe = "bookworm minbase " + INCLUDE + " " + MIRROR + "\n";
    if (Files.exists(done) && Files.readString(done).equals(recipe)) {
      return pristine;
    }
    Files.createDirectories(cache);
    if (Files.exists(pristine)) {
      run(List.of("rm", "-rf", "--one-file-system", pristine.toString()));
    }
    Commands.Result r = Commands.run(cache, Map.of(), Duration.ofMinutes(10), "debootstrap",
        List.of("debootstrap", "--variant=minbase", "--include=" + INCLUDE, "bookworm", pristine.toString(), MIRROR));
    assertThat(r.ok()).as("debootstrap from %s:\n%s", MIRROR, tail(r.output())).isTrue();
    // Fresh package lists in the copy, so the roles' apt tasks (cache_valid_time one day) need no update.
    Files.copy(Path.of("/etc/resolv.conf"), pristine.resolve("etc/resolv.conf"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Commands.Result update = Commands.run(cache, Map.of(), Duration.ofMinutes(5), "debootstrap",
        List.of("chroot", pristine.toString(), "apt-get", "update", "-qq"));
    assertThat(update.ok()).as("apt-get update in the new root:\n%s", update.output()).isTrue();
    Files.writeString(done, recipe);
    return pristine;
  }

  private Path debCache() throws IOException {
    return Files.createDirectories(cache.resolve("debs"));
  }

  private static List<Path> debs(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".deb")).toList();
    }
  }

  private void run(List<String> command) throws IOException, InterruptedException {
    Commands.Result r = Commands.run(cache.getParent(), Map.of(), Duration.ofMinutes(2), "coreutils", command);
    assertThat(r.ok()).as("%s:\n%s", String.join(" ", command), r.output()).isTrue();
  }

  static String tail(String output) {
    return output.length() <= 4000 ? output : "..." + output.substring(output.length() - 4000);
  }
}
