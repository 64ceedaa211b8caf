package org.filewcount.agent.infra;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.filewcount.agent.testing.RepoFiles;
import org.filewcount.agent.testing.VersionsFile;
import org.junit.jupiter.api.Test;

/**
 * ansible/ checked without converging anything (AnsibleConvergeIT does that): ansible-lint with the
 * production profile, --syntax-check of every playbook, the example inventory's shape, the roles' standard
 * layout with every default documented, and pins that come from versions.env only.
 */
class AnsibleLintTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Path ANSIBLE = RepoFiles.resolve("ansible");
  private static final String INVENTORY = "inventories/example/hosts.yml";

  private static Commands.Result ansible(String debianPackage, String... command) throws IOException, InterruptedException {
    return Commands.run(ANSIBLE, Map.of("ANSIBLE_NOCOLOR", "1", "NO_COLOR", "1"), Duration.ofMinutes(3),
        debianPackage, List.of(command));
  }

  @Test
  void ansibleLintFindsNothingWithTheProductionProfile() throws Exception {
    Commands.Result r = ansible("ansible-lint", "ansible-lint", "--nocolor");
    assertThat(r.output()).as("ansible-lint used the repository's config").contains("production");
    assertThat(r.exitCode()).as("ansible-lint:\n%s", r.output()).isZero();
  }

  @Test
  void everyPlaybookPassesTheSyntaxCheck() throws Exception {
    List<Path> playbooks;
    try (Stream<Path> s = Files.list(ANSIBLE)) {
      playbooks = s.filter(p -> p.getFileName().toString().endsWith(".yml")).sorted().toList();
    }
    assertThat(playbooks).extracting(p -> p.getFileName().toString()).contains("site.yml");
    for (Path playbook : playbooks) {
      Commands.Result r = ansible("ansible", "ansible-playbook", "-i", INVENTORY, "--syntax-check",
          playbook.getFileName().toString());
      assertThat(r.exitCode()).as("--syntax-check %s:\n%s", playbook.getFileName(), r.output()).isZero();
    }
  }

  @Test
  void theExampleInventoryHasThreeServersAndClientsOnTwoProviders() throws Exception {
    Commands.Result r = ansible("ansible", "ansible-inventory", "-i", INVENTORY, "--list");
    assertThat(r.exitCode()).as(r.output()).isZero();
    JsonNode inv = JSON.readTree(r.output().substring(r.output().indexOf('{')));
    assertThat(inv.path("servers").path("hosts")).hasSize(3);
    List<String> providers = new ArrayList<>();
    for (JsonNode group : inv.path("clients").path("children")) {
      JsonNode hosts = inv.path(group.asText()).path("hosts");
      assertThat(hosts).as("hosts of %s", group).isNotEmpty();
      String provider = inv.path("_meta").path("hostvars").path(hosts.get(0).asText()).path("consul_nomad_provider").asText();
      for (JsonNode h : hosts) {
        assertThat(inv.path("_meta").path("hostvars").path(h.asText()).path("consul_nomad_provider").asText())
            .as("provider of %s", h).isEqualTo(provider).isNotEmpty();
      }
      providers.add(provider);
    }
    assertThat(providers).as("client providers").hasSize(2).doesNotHaveDuplicates();
    for (JsonNode vm : inv.path("agent_vms").path("hosts")) {
      assertThat(inv.path("_meta").path("hostvars").path(vm.asText()).path("consul_nomad_nomad_enabled").asBoolean(true))
          .as("no Nomad on agent VM %s", vm).isFalse();
    }
  }

  @Test
  void everyRoleHasTheStandardLayoutAndDocumentsEachDefault() throws Exception {
    List<Path> roles;
    try (Stream<Path> s = Files.list(ANSIBLE.resolve("roles"))) {
      roles = s.filter(Files::isDirectory).sorted().toList();
    }
    assertThat(roles).extracting(p -> p.getFileName().toString())
        .contains("consul_nomad", "docker_engine", "filewcount_agent");
    for (Path role : roles) {
      for (String f : List.of("defaults/main.yml", "tasks/main.yml", "handlers/main.yml", "meta/main.yml", "README.md")) {
        assertThat(role.resolve(f)).as("%s of role %s", f, role.getFileName()).isRegularFile();
      }
      String readme = Files.readString(role.resolve("README.md"));
      YAML.readTree(role.resolve("defaults/main.yml").toFile()).fieldNames().forEachRemaining(name ->
          assertThat(readme).as("README.md of %s documents the default", role.getFileName()).contains("`" + name + "`"));
    }
  }

  @Test
  void everyPinTheRolesReadComesFromVersionsEnv() throws Exception {
    VersionsFile versions = VersionsFile.load();
    Pattern lookup = Pattern.compile("lookup\\('ansible\\.builtin\\.ini', '([A-Z0-9_]+)', type='properties', file=(\\w+)\\)");
    int found = 0;
    for (Path defaults : RepoFiles.filesEndingWith("main.yml")) {
      if (!defaults.startsWith(ANSIBLE.resolve("roles")) || !defaults.getParent().endsWith("defaults")) {
        continue;
      }
      String text = Files.readString(defaults);
      Matcher m = lookup.matcher(text);
      while (m.find()) {
        assertThat(versions.get(m.group(1))).as("versions.env key %s", m.group(1)).isNotBlank();
        assertThat(text).as("the file it reads").contains(m.group(2) + ": \"{{ playbook_dir }}/../versions.env\"");
        found++;
      }
      // No version or checksum written out in a role: each would be a second copy of versions.env.
      assertThat(text).as(defaults.toString()).doesNotContainPattern("(?m)^[a-z_]*(version|sha256): \"?[0-9a-f.]+\"?$");
    }
    assertThat(found).as("pins read from versions.env").isGreaterThanOrEqualTo(8);
  }
}
