package dev.mlplatform.operator.reconciler;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Kubernetes' syntax rules for label keys and values, namespace names and label selectors, as the
 * API server would apply them to the children; each problem names its field.
 */
final class LabelSyntax {

  private static final Pattern NAME =
      Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9]$");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$");
  private static final Set<String> SET_OPERATORS = Set.of("In", "NotIn");
  private static final Set<String> EXISTENCE_OPERATORS = Set.of("Exists", "DoesNotExist");

  private LabelSyntax() {}

  /** A label key: an optional DNS subdomain prefix and "/", then a name of up to 63 characters. */
  static boolean validKey(String key) {
    if (key == null) {
      return false;
    }
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        return false;
      }
    }
    return NAME.matcher(name).matches();
  }

  /** A label value: empty, or up to 63 characters, alphanumeric at both ends. */
  static boolean validValue(String value) {
    return value != null && (value.isEmpty() || NAME.matcher(value).matches());
  }

  static boolean validNamespace(String name) {
    return name != null && DNS_LABEL.matcher(name).matches();
  }

  /** Checks every key and value of {@code labels}, the map at {@code field}. */
  static void checkLabels(List<String> problems, String field, Map<String, String> labels) {
    if (labels == null) {
      return;
    }
    labels.forEach(
        (key, value) -> {
          if (!validKey(key)) {
            problems.add(field + ": '" + key + "' is not a valid label key");
          } else if (!validValue(value)) {
            problems.add(field + "." + key + ": '" + value + "' is not a valid label value");
          }
        });
  }

  /** Checks the label selector at {@code field}: its labels and its expressions. */
  static void checkSelector(List<String> problems, String field, LabelSelector selector) {
    if (selector == null) {
      return;
    }
    checkLabels(problems, field + ".matchLabels", selector.getMatchLabels());
    List<LabelSelectorRequirement> expressions =
        Optional.ofNullable(selector.getMatchExpressions()).orElse(List.of());
    for (int i = 0; i < expressions.size(); i++) {
      LabelSelectorRequirement expression = expressions.get(i);
      String at = field + ".matchExpressions[" + i + "]";
      if (!validKey(expression.getKey())) {
        problems.add(at + ".key: '" + expression.getKey() + "' is not a valid label key");
      }
      List<String> values = Optional.ofNullable(expression.getValues()).orElse(List.of());
      String operator = expression.getOperator();
      if (SET_OPERATORS.contains(operator)) {
        if (values.isEmpty()) {
          problems.add(at + ".values: must not be empty for operator " + operator);
        }
      } else if (EXISTENCE_OPERATORS.contains(operator)) {
        if (!values.isEmpty()) {
          problems.add(at + ".values: must be empty for operator " + operator);
        }
      } else {
        problems.add(
            at + ".operator: must be In, NotIn, Exists or DoesNotExist, got '" + operator + "'");
      }
      for (String value : values) {
        if (!validValue(value)) {
          problems.add(at + ".values: '" + value + "' is not a valid label value");
        }
      }
    }
  }
}
