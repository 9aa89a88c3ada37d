package dev.mlplatform.operator;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.ZonedDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the leader Lease up when a leading replica stops gracefully, as client-go's {@code
 * ReleaseOnCancel} does: no holder and a duration of one second, so a follower takes over at its
 * next retry (2 s) instead of waiting out the lease duration (15 s) during every rollout of the
 * operator. JOSDK 5.2 builds fabric8's elector with release-on-cancel off and no way to turn it on.
 * Called only after the reconcilers have stopped, so the old and the new leader never write at
 * once; the write is conditional on the Lease's resourceVersion, so a Lease someone else renewed or
 * took in the meantime is left alone.
 */
final class LeaseRelease {
  private static final Logger log = LoggerFactory.getLogger(LeaseRelease.class);

  private final KubernetesClient client;
  private final String namespace;
  private final String name;
  private final String identity;
  private final Clock clock;

  LeaseRelease(
      KubernetesClient client, String namespace, String name, String identity, Clock clock) {
    this.client = client;
    this.namespace = namespace;
    this.name = name;
    this.identity = identity;
    this.clock = clock;
  }

  /**
   * Releases the Lease if this replica holds it.
   *
   * @return whether it was released; false when another replica holds it, or it is gone, or the
   *     write failed (then it expires as it would have without this)
   */
  boolean release() {
    try {
      Lease lease = client.leases().inNamespace(namespace).withName(name).get();
      if (lease == null || !identity.equals(lease.getSpec().getHolderIdentity())) {
        return false;
      }
      lease.getSpec().setHolderIdentity(null);
      lease.getSpec().setLeaseDurationSeconds(1);
      lease.getSpec().setRenewTime(ZonedDateTime.now(clock));
      client.resource(lease).update(); // carries the resourceVersion read: a 409 if it moved on
      log.info("released the leader Lease {}/{}", namespace, name);
      return true;
    } catch (KubernetesClientException e) {
      log.warn(
          "could not release the leader Lease {}/{} (it expires instead): {}",
          namespace,
          name,
          e.getMessage());
      return false;
    }
  }
}
