package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/** shellcheck on every shell script of the repository: scripts/, the agent launcher, bench/ and any *.sh. */
class ShellScriptsTest {

    @Test
    void everyShellScriptPassesShellcheck() throws Exception {
        List<String> scripts = shellScripts();
        assertThat(scripts).contains("scripts/up", "scripts/down", "scripts/upgrade", "scripts/lib.sh",
                "agent/bin/filewcount-agent");

        List<String> command = new ArrayList<>(List.of("shellcheck", "--external-sources", "--format=gcc"));
        command.addAll(scripts);
        Process p;
        try {
            p = new ProcessBuilder(command).directory(RepoFiles.root().toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("shellcheck is not installed: apt-get install shellcheck (.ci/run installs it)", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("shellcheck findings").isEmpty();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void scriptsAreExecutableAndStrict() throws IOException {
        for (String script : List.of("scripts/up", "scripts/down", "scripts/upgrade", "scripts/apply-resolver",
                "scripts/doctor", "scripts/diag")) {
            Path path = RepoFiles.resolve(script);
            assertThat(Files.isExecutable(path)).as(script + " is executable").isTrue();
            assertThat(Files.readString(path)).as(script).startsWith("#!/usr/bin/env bash\n").contains("set -euo pipefail");
        }
        assertThat(Files.isExecutable(RepoFiles.resolve("agent/bin/filewcount-agent"))).isTrue();
    }

    /** Files whose first line is a sh/bash shebang, or that end in .sh. */
    private static List<String> shellScripts() throws IOException {
        Path root = RepoFiles.root();
        List<String> out = new ArrayList<>();
        for (String dir : List.of("scripts", "agent/bin", "bench", ".ci")) {
            Path d = root.resolve(dir);
            if (!Files.isDirectory(d)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(d)) {
                for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                    if (isShell(f)) {
                        out.add(root.relativize(f).toString());
                    }
                }
            }
        }
        for (Path f : RepoFiles.filesEndingWith(".sh")) {
            String rel = root.relativize(f).toString();
            if (!out.contains(rel)) {
                out.add(rel);
            }
        }
        return out;
    }

    private static boolean isShell(Path f) throws IOException {
        if (f.getFileName().toString().endsWith(".sh")) {
            return true;
        }
        byte[] head = new byte[64];
        int n;
        try (var in = Files.newInputStream(f)) {
            n = in.read(head);
        }
        String first = n > 0 ? new String(head, 0, n, StandardCharsets.UTF_8) : "";
        return first.startsWith("#!/bin/sh") || first.startsWith("#!/usr/bin/env bash")
                || first.startsWith("#!/bin/bash") || first.startsWith("#!/usr/bin/env sh");
    }
}
