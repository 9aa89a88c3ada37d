package dev.mlplatform.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlplatform.server.testing.ServerProcess;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** LOG_FORMAT=json: one JSON object per line, with the message as a reader wants it. */
class JsonLogsIT {

  @Test
  void every_line_is_json_with_the_arguments_filled_into_the_message() throws Exception {
    try (ServerProcess server = ServerProcess.start(Map.of("LOG_FORMAT", "json"))) {
      server.awaitReady();
      ObjectMapper json = new ObjectMapper();
      List<JsonNode> lines = new ArrayList<>();
      for (String line : server.log().lines().filter(l -> !l.isBlank()).toList()) {
        lines.add(json.readTree(line));
      }

      assertThat(lines)
          .anySatisfy(
              l ->
                  assertThat(l.path("formattedMessage").asText())
                      .matches("listening: http on " + server.httpPort() + ", metrics on \\d+"))
          .allSatisfy(l -> assertThat(l.path("formattedMessage").asText()).doesNotContain("{}"))
          .allSatisfy(l -> assertThat(l.has("level") && l.has("loggerName")).isTrue());
    }
  }
}
