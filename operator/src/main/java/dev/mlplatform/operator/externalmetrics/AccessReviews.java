package dev.mlplatform.operator.externalmetrics;

import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Delegated authorization: asks the API server (a SubjectAccessReview, allowed by the {@code
 * system:auth-delegator} ClusterRole) whether the user the aggregator acts for may get the metric,
 * as every aggregated API server does rather than trusting the proxy alone. Answers are kept for
 * {@code ttl}: the HPA asks the same question every sync period.
 */
public final class AccessReviews {

  /** One question: may {@code user} (in {@code groups}) get {@code metric} in {@code namespace}. */
  public record Question(String user, List<String> groups, String namespace, String metric) {}

  private record Answer(boolean allowed, String reason, Instant at) {}

  /** The decision and the authorizer's reason. */
  public record Decision(boolean allowed, String reason) {}

  private final KubernetesClient client;
  private final Duration ttl;
  private final Clock clock;
  private final Map<Question, Answer> answers = new ConcurrentHashMap<>();

  public AccessReviews(KubernetesClient client, Duration ttl, Clock clock) {
    this.client = Objects.requireNonNull(client);
    this.ttl = Objects.requireNonNull(ttl);
    this.clock = Objects.requireNonNull(clock);
  }

  public Decision decide(Question question) {
    Instant now = clock.instant();
    Answer known = answers.get(question);
    if (known != null && known.at().plus(ttl).isAfter(now)) {
      return new Decision(known.allowed(), known.reason());
    }
    SubjectAccessReview review =
        client
            .authorization()
            .v1()
            .subjectAccessReview()
            .create(
                new SubjectAccessReviewBuilder()
                    .withNewSpec()
                    .withUser(question.user())
                    .withGroups(question.groups())
                    .withNewResourceAttributes()
                    .withGroup(ExternalMetric.GROUP)
                    .withVersion(ExternalMetric.VERSION)
                    .withResource(question.metric())
                    .withNamespace(question.namespace())
                    .withVerb("get")
                    .endResourceAttributes()
                    .endSpec()
                    .build());
    boolean allowed =
        review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed());
    String reason =
        review.getStatus() == null ? "" : Objects.toString(review.getStatus().getReason(), "");
    answers.values().removeIf(a -> a.at().plus(ttl).isBefore(now));
    answers.put(question, new Answer(allowed, reason, now));
    return new Decision(allowed, reason);
  }
}
