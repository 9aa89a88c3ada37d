package dev.mlplatform.server.inference;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives ONNX Runtime a lasting copy of its native libraries. Left alone, onnxruntime-java copies
 * its ~20 MB of natives out of its jar into {@code java.io.tmpdir} at every start; this unpacks
 * them once into the engine cache (where DJL keeps the other natives, and where the image bakes
 * them) and points {@code onnxruntime.native.path} there. Anything unexpected leaves ONNX Runtime
 * to its own loader: this is an optimisation, never a reason not to start.
 */
final class OnnxRuntimeNatives {
  private static final String PATH_PROPERTY = "onnxruntime.native.path";

  private static final Logger LOG = LoggerFactory.getLogger(OnnxRuntimeNatives.class);
  private static final List<String> LIBRARIES = List.of("onnxruntime", "onnxruntime4j_jni");

  private final Path cacheDir;

  /**
   * @param cacheDir where the libraries go, in a subdirectory named for their platform and content
   */
  OnnxRuntimeNatives(Path cacheDir) {
    this.cacheDir = cacheDir;
  }

  /**
   * Unpacks the libraries unless a copy is already there, and sets {@link #PATH_PROPERTY}; does
   * nothing when the property is already set.
   *
   * @return the directory ONNX Runtime will load from, if it is this cache's
   */
  Optional<Path> install() {
    if (System.getProperty(PATH_PROPERTY) != null) {
      return Optional.empty();
    }
    try {
      Optional<Path> dir = unpacked();
      dir.ifPresent(d -> System.setProperty(PATH_PROPERTY, d.toString()));
      return dir;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "cannot keep ONNX Runtime's natives in {} ({}); it unpacks them into the temp dir",
          cacheDir,
          e.toString());
      return Optional.empty();
    }
  }

  private Optional<Path> unpacked() throws IOException {
    String platform = platform();
    URL main = platform == null ? null : resource(platform, LIBRARIES.get(0));
    if (main == null) {
      return Optional.empty();
    }
    URLConnection connection = main.openConnection();
    if (!(connection instanceof JarURLConnection jar)) {
      return Optional.empty(); // not from a jar: nothing names this content cheaply
    }
    // the entry's CRC names the content without reading 20 MB at every start
    long crc = jar.getJarEntry().getCrc();
    Path target = cacheDir.resolve(platform + "-" + Long.toHexString(crc));
    if (complete(target)) {
      return Optional.of(target);
    }
    Files.createDirectories(cacheDir);
    Path part = Files.createTempDirectory(cacheDir, target.getFileName() + ".part");
    try {
      for (String library : LIBRARIES) {
        URL url = resource(platform, library);
        if (url == null) {
          return Optional.empty();
        }
        try (InputStream in = url.openStream()) {
          Files.copy(in, part.resolve(fileName(library)));
        }
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("unpacked ONNX Runtime's natives into {}", target);
    } catch (IOException e) {
      if (!complete(target)) {
        throw e;
      } // else another process unpacked the same content first, and its copy serves
    } finally {
      deleteQuietly(part);
    }
    return complete(target) ? Optional.of(target) : Optional.empty();
  }

  private static boolean complete(Path dir) {
    return LIBRARIES.stream().allMatch(l -> Files.isRegularFile(dir.resolve(fileName(l))));
  }

  /**
   * The platform directory name onnxruntime-java uses inside its jar, for the platforms it ships.
   */
  private static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osName =
        os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "osx" : null;
    String archName =
        switch (arch) {
          case "amd64", "x86_64", "x64" -> "x64";
          case "aarch64" -> "aarch64";
          default -> null;
        };
    return osName == null || archName == null ? null : osName + "-" + archName;
  }

  private static URL resource(String platform, String library) {
    return OnnxRuntimeNatives.class
        .getClassLoader()
        .getResource("ai/onnxruntime/native/" + platform + "/" + fileName(library));
  }

  private static String fileName(String library) {
    return System.mapLibraryName(library);
  }

  private static void deleteQuietly(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.debug("cannot remove {}", dir, e);
    }
  }
}
