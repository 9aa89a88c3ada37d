package dev.mlplatform.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Markdown documentation (README.md and docs/): relative links and their anchors resolve, every
 * page under docs/ is linked, and every alert of the PrometheusRule has exactly one runbook page,
 * which its {@code runbook_url} names.
 */
class DocsTest {

  private static final Path ROOT = Golden.repoRoot();
  private static final Path DOCS = ROOT.resolve("docs");
  private static final Path RUNBOOKS = DOCS.resolve("runbooks");
  private static final Path RULES = ROOT.resolve("k8s/monitoring/prometheus-rule.yaml");

  /** {@code [text](target)} or {@code [text](target "title")}; images too. */
  private static final Pattern LINK =
      Pattern.compile("\\[[^\\]\\n]*]\\(\\s*([^)\\s]+)(?:\\s+\"[^\"]*\")?\\s*\\)");

  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");

  /** A link as written: the page it is on, its line, and its target. */
  record Link(Path page, int line, String target) {
    @Override
    public String toString() {
      return ROOT.relativize(page) + ":" + line + ": (" + target + ")";
    }
  }

  @Test
  void every_relative_link_resolves_to_a_file_in_the_repository() {
    List<String> broken = new ArrayList<>();
    List<Link> links = relativeLinks();
    for (Link link : links) {
      Path target = resolve(link);
      if (!target.startsWith(ROOT)) {
        broken.add(link + " leaves the repository");
      } else if (!Files.exists(target)) {
        broken.add(link + " names " + ROOT.relativize(target) + ", which does not exist");
      }
    }
    assertThat(links).as("relative links found in the docs").hasSizeGreaterThan(20);
    assertThat(broken).as("broken links").isEmpty();
  }

  @Test
  void every_anchor_into_a_markdown_page_matches_one_of_its_headings() {
    List<String> broken = new ArrayList<>();
    int anchors = 0;
    for (Link link : relativeLinks()) {
      int hash = link.target().indexOf('#');
      Path target = resolve(link);
      if (hash < 0 || !target.toString().endsWith(".md") || !Files.isRegularFile(target)) {
        continue;
      }
      anchors++;
      String anchor = link.target().substring(hash + 1);
      Set<String> slugs = headingSlugs(target);
      if (!slugs.contains(anchor)) {
        broken.add(link + ": no heading #" + anchor + " in " + ROOT.relativize(target));
      }
    }
    assertThat(anchors).as("links with an anchor found in the docs").isGreaterThan(5);
    assertThat(broken).as("anchors without a heading").isEmpty();
  }

  @Test
  void every_page_under_docs_is_linked_from_the_readme_or_another_page() {
    Set<Path> linked = new LinkedHashSet<>();
    for (Link link : relativeLinks()) {
      Path target = resolve(link);
      if (!target.equals(link.page())) {
        linked.add(target);
      }
    }
    assertThat(pages().stream().filter(p -> p.startsWith(DOCS)))
        .as("pages under docs/ that no other page links to")
        .allSatisfy(page -> assertThat(linked).as(ROOT.relativize(page).toString()).contains(page));
  }

  @Test
  void every_alert_has_a_runbook_page_and_its_runbook_url_names_that_page() {
    Map<String, String> alerts = alertRunbookUrls();
    assertThat(alerts).as("alerts in %s", RULES).isNotEmpty();
    alerts.forEach(
        (alert, url) -> {
          String page = "docs/runbooks/" + alert + ".md";
          assertThat(ROOT.resolve(page)).as("runbook of %s", alert).isRegularFile();
          assertThat(url).as("runbook_url of %s", alert).endsWith("/" + page);
        });
  }

  @Test
  void every_runbook_page_belongs_to_an_alert() throws IOException {
    Set<String> alerts = alertRunbookUrls().keySet();
    try (Stream<Path> files = Files.list(RUNBOOKS)) {
      assertThat(files.map(f -> f.getFileName().toString()).sorted())
          .as("pages in docs/runbooks/, each named <alert>.md after an alert of %s", RULES)
          .isNotEmpty()
          .allSatisfy(
              name ->
                  assertThat(name.replaceFirst("\\.md$", ""))
                      .as(name)
                      .isIn(alerts)
                      .isNotEqualTo(name));
    }
  }

  @Test
  void heading_slugs_follow_github() {
    assertThat(slug("HTTP API (port `HTTP_PORT`, default 8080)"))
        .isEqualTo("http-api-port-http_port-default-8080");
    assertThat(slug("Load, overload and soak: `make bench-load`, `make bench-soak`"))
        .isEqualTo("load-overload-and-soak-make-bench-load-make-bench-soak");
    assertThat(slug("Why `crd-generator-maven-plugin` (v2)"))
        .isEqualTo("why-crd-generator-maven-plugin-v2");
  }

  /** Every alert name of the PrometheusRule with its runbook_url annotation ("" when absent). */
  private static Map<String, String> alertRunbookUrls() {
    JsonNode rule;
    try {
      rule = new ObjectMapper(new YAMLFactory()).readTree(RULES.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Map<String, String> alerts = new LinkedHashMap<>();
    for (JsonNode group : rule.at("/spec/groups")) {
      for (JsonNode r : group.path("rules")) {
        if (r.has("alert")) {
          alerts.put(r.get("alert").asText(), r.at("/annotations/runbook_url").asText(""));
        }
      }
    }
    return alerts;
  }

  /** README.md and every Markdown page under docs/. */
  private static List<Path> pages() {
    List<Path> pages = new ArrayList<>(List.of(ROOT.resolve("README.md")));
    try (Stream<Path> files = Files.walk(DOCS)) {
      files.filter(f -> f.toString().endsWith(".md")).sorted().forEach(pages::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return pages;
  }

  /** Links that are not absolute URLs, outside code blocks and code spans. */
  private static List<Link> relativeLinks() {
    List<Link> links = new ArrayList<>();
    for (Path page : pages()) {
      String[] lines = prose(read(page)).split("\n", -1);
      for (int i = 0; i < lines.length; i++) {
        Matcher m = LINK.matcher(lines[i]);
        while (m.find()) {
          String target = m.group(1);
          if (!SCHEME.matcher(target).find()) {
            links.add(new Link(page, i + 1, target));
          }
        }
      }
    }
    return links;
  }

  /** The file a link points at; the page itself for a bare {@code #anchor}. */
  private static Path resolve(Link link) {
    String path = link.target().replaceFirst("#.*$", "");
    return path.isEmpty() ? link.page() : link.page().getParent().resolve(path).normalize();
  }

  /** The anchors GitHub gives a page's headings, duplicates numbered as GitHub does. */
  private static Set<String> headingSlugs(Path page) {
    Set<String> slugs = new TreeSet<>();
    Map<String, Integer> seen = new HashMap<>();
    for (String line : prose(read(page)).split("\n")) {
      Matcher h = HEADING.matcher(line);
      if (h.matches()) {
        String slug = slug(h.group(2));
        int n = seen.merge(slug, 1, Integer::sum) - 1;
        slugs.add(n == 0 ? slug : slug + "-" + n);
      }
    }
    return slugs;
  }

  /**
   * GitHub's heading anchor: the heading's text (links reduced to their text), lower case,
   * punctuation other than '-' and '_' removed, spaces turned into '-'.
   */
  static String slug(String heading) {
    String text = heading.replaceAll("\\[([^\\]]*)]\\([^)]*\\)", "$1");
    return text.trim().toLowerCase().replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
  }

  /**
   * The page with fenced code blocks blanked and inline code spans emptied of their contents (a
   * heading's code keeps its text), line numbers kept.
   */
  private static String prose(String markdown) {
    StringBuilder out = new StringBuilder();
    boolean fenced = false;
    for (String line : markdown.split("\n", -1)) {
      if (line.stripLeading().startsWith("```")) {
        fenced = !fenced;
        out.append('\n');
        continue;
      }
      if (fenced) {
        out.append('\n');
        continue;
      }
      if (HEADING.matcher(line).matches()) {
        out.append(line).append('\n');
      } else {
        out.append(INLINE_CODE.matcher(line).replaceAll("``")).append('\n');
      }
    }
    return out.toString();
  }

  private static String read(Path page) {
    try {
      return Files.readString(page);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
