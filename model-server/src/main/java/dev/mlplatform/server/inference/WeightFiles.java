package dev.mlplatform.server.inference;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The weights-file search every engine shares; the engine gives the names and folders. */
final class WeightFiles {
  private WeightFiles() {}

  /**
   * The first of {@code preferred} that is there; else the first folder (in order) holding files
   * ending in {@code suffix} gives one of them, a {@code model.*} first, else the first by name.
   *
   * @param folders {@code ""} for the root, {@code "onnx/"} for a folder
   */
  static Optional<String> find(
      Collection<String> files, List<String> preferred, String suffix, List<String> folders) {
    for (String path : preferred) {
      if (files.contains(path)) {
        return Optional.of(path);
      }
    }
    for (String folder : folders) {
      List<String> found =
          files.stream()
              .filter(f -> f.startsWith(folder) && f.endsWith(suffix))
              .filter(f -> f.indexOf('/', folder.length()) < 0)
              .sorted()
              .toList();
      if (!found.isEmpty()) {
        return Optional.of(
            found.stream()
                .filter(f -> f.substring(folder.length()).startsWith("model."))
                .findFirst()
                .orElse(found.get(0)));
      }
    }
    return Optional.empty();
  }
}
