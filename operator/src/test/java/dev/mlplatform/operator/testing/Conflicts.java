package dev.mlplatform.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.function.Supplier;

/**
 * A read-modify-write on a real API server, retried when someone wrote in between (409), as a user
 * re-runs {@code kubectl edit}: the operator's status writes and the controllers' updates race the
 * tests' edits there, which the mock never did.
 */
public final class Conflicts {

  private static final int ATTEMPTS = 10;

  private Conflicts() {}

  public static <T> T retry(Supplier<T> edit) {
    for (int attempt = 1; ; attempt++) {
      try {
        return edit.get();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == ATTEMPTS) {
          throw e;
        }
      }
    }
  }
}
