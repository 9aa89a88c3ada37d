package dev.mlplatform.operator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlplatform.operator.testing.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Argo CD's verdict on a ModelServer: the repository's {@code health.lua}, run by a real Lua 5.1
 * (the dialect of Argo CD's gopher-lua) on the object as Argo CD would hand it over.
 */
final class ArgoCdHealth {

  static final Path CUSTOMIZATION =
      Golden.repoRoot().resolve("k8s/argocd/serving.mlplatform.dev/ModelServer");

  /** What the script returned: Healthy, Progressing, Degraded..., and its message. */
  record Verdict(String status, String message) {}

  private ArgoCdHealth() {}

  static Verdict of(JsonNode obj) throws IOException, InterruptedException {
    Path lua5 = Tools.require("lua5.1", "lua");
    Path script = Files.createTempFile("health", ".lua");
    try {
      Files.writeString(
          script,
          "obj = "
              + lua(obj)
              + "\nlocal hs = dofile(\""
              + CUSTOMIZATION.resolve("health.lua")
              + "\")\nio.write(hs.status, \"\\n\", hs.message or \"\")\n");
      Process lua =
          new ProcessBuilder(lua5.toString(), script.toString()).redirectErrorStream(true).start();
      String out = new String(lua.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!lua.waitFor(10, TimeUnit.SECONDS) || lua.exitValue() != 0) {
        throw new IllegalStateException("health.lua failed: " + out);
      }
      String[] lines = out.split("\n", 2);
      return new Verdict(lines[0], lines.length > 1 ? lines[1] : "");
    } finally {
      Files.deleteIfExists(script);
    }
  }

  /** A JSON/YAML tree as a Lua table constructor. */
  static String lua(JsonNode node) {
    if (node.isObject()) {
      StringBuilder out = new StringBuilder("{");
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        if (!field.getValue().isNull()) {
          out.append('[')
              .append(quote(field.getKey()))
              .append("]=")
              .append(lua(field.getValue()))
              .append(',');
        }
      }
      return out.append('}').toString();
    }
    if (node.isArray()) {
      StringBuilder out = new StringBuilder("{");
      node.forEach(item -> out.append(lua(item)).append(','));
      return out.append('}').toString();
    }
    if (node.isNumber() || node.isBoolean()) {
      return node.asText();
    }
    return node.isNull() ? "nil" : quote(node.asText());
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
