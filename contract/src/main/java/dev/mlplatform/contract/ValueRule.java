package dev.mlplatform.contract;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What values one server setting takes. Both the server's config loader and the operator's spec
 * validation ask the same rule, so a value one side admits the other does too. Values are judged
 * trimmed; a blank value means "unset" and is never judged (the server then uses its default).
 */
public sealed interface ValueRule {

  /** Why {@code value} breaks the rule, as {@code must be …, got '…'}; empty when it keeps it. */
  Optional<String> problem(String value);

  /** The rule in words, for documentation and messages: {@code a whole number from 1 to 64}. */
  String describe();

  /**
   * A whole number in [min, max], ASCII digits with an optional minus sign: {@code +5} and other
   * scripts' digits, which Java's own parsers would take, are refused so that any other reader
   * (CEL, a shell) agrees.
   */
  record WholeNumber(long min, long max) implements ValueRule {
    private static final Pattern DIGITS = Pattern.compile("-?[0-9]{1,18}");

    @Override
    public Optional<String> problem(String value) {
      if (DIGITS.matcher(value).matches()) {
        long parsed = Long.parseLong(value);
        if (parsed >= min && parsed <= max) {
          return Optional.empty();
        }
      }
      return Optional.of("must be " + describe() + ", got '" + value + "'");
    }

    @Override
    public String describe() {
      return "a whole number from " + min + " to " + max;
    }
  }

  /** One of a few words, in any letter case. */
  record OneOf(List<String> values) implements ValueRule {
    public OneOf {
      values = List.copyOf(values);
    }

    @Override
    public Optional<String> problem(String value) {
      String wanted = value.toLowerCase(Locale.ROOT);
      if (values.stream().anyMatch(v -> v.toLowerCase(Locale.ROOT).equals(wanted))) {
        return Optional.empty();
      }
      return Optional.of("must be " + describe() + ", got '" + value + "'");
    }

    @Override
    public String describe() {
      if (values.size() == 1) {
        return values.get(0);
      }
      return String.join(", ", values.subList(0, values.size() - 1))
          + " or "
          + values.get(values.size() - 1);
    }
  }

  /** An http or https URL with a host. */
  record HttpUrl() implements ValueRule {
    @Override
    public Optional<String> problem(String value) {
      try {
        URI uri = new URI(value);
        if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
            && uri.getHost() != null) {
          return Optional.empty();
        }
      } catch (URISyntaxException e) {
        // reported below with the rule
      }
      return Optional.of("must be " + describe() + ", got '" + value + "'");
    }

    @Override
    public String describe() {
      return "an http(s) URL";
    }
  }

  /** A secret of at least {@code minLength} characters; its value is never put in a message. */
  record Secret(int minLength) implements ValueRule {
    @Override
    public Optional<String> problem(String value) {
      return value.length() >= minLength ? Optional.empty() : Optional.of("must be " + describe());
    }

    @Override
    public String describe() {
      return "at least " + minLength + " characters long";
    }
  }

  /**
   * Any text. The owned keys whose grammar is richer ({@code MODEL_URI}: {@link ModelUris}) are
   * checked where that grammar lives, by the CRD's schema and the server's model locator.
   */
  record AnyText() implements ValueRule {
    @Override
    public Optional<String> problem(String value) {
      return Optional.empty();
    }

    @Override
    public String describe() {
      return "any text";
    }
  }
}
