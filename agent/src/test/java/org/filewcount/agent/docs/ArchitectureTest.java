package org.filewcount.agent.docs;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.filewcount.agent.testing.RepoFiles;
import org.junit.jupiter.api.Test;

/**
 * The agent's package rules, as docs/agent.md ("Architecture") states them and issue 16 set them, checked
 * on the compiled main classes (ArchUnit) and on the main sources: where Consul and HTTP clients may be
 * reached from, no cycles between packages, the engine free of its adapters, the sizes of classes and
 * packages, how much is public, and the package picture drawn from the real dependencies.
 */
class ArchitectureTest {

  private static final String ROOT = "org.filewcount.agent";
  private static final Path MAIN_SOURCES = RepoFiles.resolve("agent/src/main/java/org/filewcount/agent");
  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages(ROOT);

  @Test
  void consulClientIsImportedOnlyInConsul() {
    noClasses().that().resideOutsideOfPackage(ROOT + ".consul..")
        .should().dependOnClassesThat().resideInAnyPackage("org.kiwiproject.consul..", "okhttp3..")
        .because("consul is the one way to Consul (ADR 0023); consul-client builds its OkHttp client there")
        .check(MAIN);
  }

  @Test
  void onlyNetHttpClientsBuildsHttpClients() {
    noClasses().that().doNotHaveFullyQualifiedName(ROOT + ".net.HttpClients")
        .should().callMethod(HttpClient.class, "newBuilder").orShould().callMethod(HttpClient.class, "newHttpClient")
        .because("one place sets the timeouts, TLS and HTTP version of every java.net.http client")
        .check(MAIN);
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(MAIN);
  }

  @Test
  void theRolloutEngineKnowsNoneOfItsAdapters() {
    noClasses().that().resideInAPackage(ROOT + ".rollout")
        .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".rollout.state..", ROOT + ".rollout.report..",
            ROOT + ".nomad..", ROOT + ".cli..", ROOT + ".consul..")
        .because("the CLI plugs the adapters in at the engine's ports (docs/agent.md)")
        .check(MAIN);
  }

  @Test
  void configUsesNoOtherAgentPackage() {
    noClasses().that().resideInAPackage(ROOT + ".config..")
        .should().dependOnClassesThat(DescribedPredicate.describe("another agent package",
            (JavaClass c) -> c.getPackageName().startsWith(ROOT + ".")
                && !c.getPackageName().startsWith(ROOT + ".config")))
        .because("settings are values every package may use, so config may use none of them")
        .check(MAIN);
  }

  @Test
  void noMainClassIsOver300LinesAndNoPackageOver20Files() throws IOException {
    Map<String, Long> filesPerPackage = new TreeMap<>();
    List<String> tooLong = new ArrayList<>();
    for (Path f : mainSources()) {
      long lines = Files.readAllLines(f).size();
      if (lines > 300) {
        tooLong.add(MAIN_SOURCES.relativize(f) + " (" + lines + " lines)");
      }
      filesPerPackage.merge(MAIN_SOURCES.relativize(f.getParent()).toString(), 1L, Long::sum);
    }
    assertThat(tooLong).as("main classes over 300 lines: split them by concern").isEmpty();
    assertThat(filesPerPackage.entrySet().stream().filter(e -> e.getValue() > 20).map(Map.Entry::toString))
        .as("packages over 20 main files: split them into sub-packages by concern").isEmpty();
  }

  @Test
  void everyPackageSaysWhatLivesThere() throws IOException {
    try (Stream<Path> dirs = Files.walk(MAIN_SOURCES)) {
      List<String> missing = dirs.filter(Files::isDirectory)
          .filter(d -> hasJava(d) && !Files.exists(d.resolve("package-info.java")))
          .map(d -> MAIN_SOURCES.relativize(d).toString()).toList();
      assertThat(missing).as("packages without a package-info.java").isEmpty();
    }
  }

  @Test
  void atMostHalfOfTheMainTypesArePublic() {
    List<JavaClass> topLevel = MAIN.stream().filter(JavaClass::isTopLevelClass)
        .filter(c -> !c.getSimpleName().equals("package-info")).toList();
    List<String> pub = topLevel.stream().filter(c -> c.getModifiers().contains(JavaModifier.PUBLIC))
        .map(JavaClass::getName).sorted().toList();
    assertThat(topLevel).as("top-level main types").hasSizeGreaterThan(100);
    assertThat(pub.size() * 2).as("public top-level types (%d of %d), package-private by default: %s", pub.size(),
        topLevel.size(), pub).isLessThanOrEqualTo(topLevel.size());
  }

  /**
   * The package picture in docs/agent.md has exactly the edges the compiled code has, so it cannot drift:
   * {@code config} is left out (most use it), {@code proxy.http} is drawn as part of {@code proxy}.
   */
  @Test
  void thePackagePictureMatchesTheCode() {
    Set<String> inCode = new TreeSet<>();
    for (JavaClass c : MAIN) {
      String from = drawnName(c.getPackageName());
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String to = drawnName(d.getTargetClass().getBaseComponentType().getPackageName());
        if (from != null && to != null && !from.equals(to)) {
          inCode.add(from + " --> " + to);
        }
      }
    }
    String doc = RepoFiles.read("docs/agent.md");
    Matcher graph = Pattern.compile("(?s)```mermaid\\ngraph TD\\n(.*?)```").matcher(doc);
    assertThat(graph.find()).as("docs/agent.md has the package graph").isTrue();
    Set<String> drawn = Pattern.compile("(?m)^\\s*(\\w+) --> (\\w+)\\s*$").matcher(graph.group(1)).results()
        .map(m -> m.group(1) + " --> " + m.group(2)).collect(Collectors.toCollection(TreeSet::new));
    assertThat(drawn).as("edges drawn in docs/agent.md (left) against the code's (right): draw what the code does")
        .isEqualTo(inCode);
  }

  /** The node a package is drawn as, or null when it is not drawn (outside the agent, or config). */
  private static String drawnName(String pkg) {
    if (!pkg.startsWith(ROOT + ".")) {
      return null;
    }
    String p = pkg.substring(ROOT.length() + 1);
    if (p.equals("config")) {
      return null;
    }
    return (p.startsWith("proxy.") ? "proxy" : p).replace('.', '_');
  }

  private static List<Path> mainSources() throws IOException {
    try (Stream<Path> files = Files.walk(MAIN_SOURCES)) {
      return files.filter(f -> f.toString().endsWith(".java") && !f.endsWith("package-info.java")).sorted().toList();
    }
  }

  private static boolean hasJava(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      return files.anyMatch(f -> f.toString().endsWith(".java"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
