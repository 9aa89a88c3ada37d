package dev.mlplatform.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code model-server check-config}: reads one environment per line (a JSON object of strings) and
 * answers each with {@code ok} or {@code invalid: MESSAGE}, as the server's own loader judges it at
 * start-up, without loading a model. The operator's contract test feeds it the ConfigMaps it
 * renders; a user can check a ConfigMap before applying it.
 */
public final class ConfigCheck {
  private ConfigCheck() {}

  public static int run(InputStream in, PrintStream out) {
    ObjectMapper json = new ObjectMapper();
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; (line = lines.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        Map<String, String> env = new HashMap<>();
        JsonNode object = json.readTree(line);
        object.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        try {
          new ConfigLoader(env).load();
          out.println("ok");
        } catch (ConfigException e) {
          out.println("invalid: " + e.getMessage());
        }
      }
      out.flush();
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
