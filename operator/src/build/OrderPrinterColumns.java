import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Build step after the CRD generator: puts the additionalPrinterColumns in the order DESIGN.md gives
 * (the generator sorts them by JSON path, which would print AGE first). Run by the java launcher
 * on this single file: {@code java OrderPrinterColumns.java CRD_FILE NAME...}.
 */
public class OrderPrinterColumns {

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    List<String> order = List.of(args).subList(1, args.length);
    List<String> lines = Files.readAllLines(file);
    int start = lines.indexOf("  - additionalPrinterColumns:");
    if (start < 0) {
      throw new IllegalStateException("no additionalPrinterColumns in " + file);
    }
    int end = start + 1;
    List<List<String>> columns = new ArrayList<>();
    while (end < lines.size() && lines.get(end).startsWith("    - ")
        || end < lines.size() && lines.get(end).startsWith("      ")) {
      if (lines.get(end).startsWith("    - ")) {
        columns.add(new ArrayList<>());
      }
      columns.get(columns.size() - 1).add(lines.get(end));
      end++;
    }
    columns.sort(Comparator.comparingInt(column -> rank(order, column)));
    List<String> result = new ArrayList<>(lines.subList(0, start + 1));
    columns.forEach(result::addAll);
    result.addAll(lines.subList(end, lines.size()));
    Files.writeString(file, String.join("\n", result) + "\n");
  }

  private static int rank(List<String> order, List<String> column) {
    for (String line : column) {
      String trimmed = line.trim();
      if (trimmed.startsWith("name: ")) {
        int index = order.indexOf(trimmed.substring(6).replace("\"", ""));
        if (index < 0) {
          throw new IllegalStateException("printer column not in the order list: " + trimmed);
        }
        return index;
      }
    }
    throw new IllegalStateException("printer column without a name: " + column);
  }
}
