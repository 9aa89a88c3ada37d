package dev.mlplatform.operator.testing;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

/**
 * The API server of the integration tests: fabric8's mock in CRUD mode with server-side apply
 * added, on a random local port, with the generated ModelServer CRD installed (which turns on its
 * status subresource). Faults are injected through {@link #dispatcher()}; {@link #stopServer()} and
 * {@link #restartServer()} take the whole server away and bring it back on the same port with the
 * same stored objects.
 */
public final class MockCluster implements AutoCloseable {

  private final FaultInjectingDispatcher dispatcher;
  private final int port;
  private KubernetesMockServer server;
  private final KubernetesClient client;

  private MockCluster(
      KubernetesMockServer server, KubernetesClient client, FaultInjectingDispatcher dispatcher) {
    this.server = server;
    this.client = client;
    this.dispatcher = dispatcher;
    this.port = server.getPort();
  }

  public FaultInjectingDispatcher dispatcher() {
    return dispatcher;
  }

  private static KubernetesMockServer server(FaultInjectingDispatcher dispatcher) {
    return new KubernetesMockServer(
        new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
  }

  public static MockCluster start() {
    FaultInjectingDispatcher dispatcher = new FaultInjectingDispatcher();
    KubernetesMockServer server = server(dispatcher);
    server.init();
    KubernetesClient client = server.createClient();
    Path crd =
        Path.of(System.getProperty("crd.generated.dir", "target/crds"))
            .resolve("modelservers.serving.mlplatform.dev-v1.yml");
    try (InputStream in = Files.newInputStream(crd)) {
      client
          .resource(
              client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
          .create();
    } catch (IOException e) {
      throw new IllegalStateException("generated CRD missing: " + crd, e);
    }
    return new MockCluster(server, client, dispatcher);
  }

  public KubernetesClient client() {
    return client;
  }

  /** A new client, e.g. for a process that must not share the test's client. */
  public KubernetesClient newClient() {
    return server.createClient();
  }

  /**
   * A client for the operator under test. fabric8 retries 5xx answers itself with exponential
   * back-off (10 times by default); one retry keeps failure tests short and leaves the retrying to
   * JOSDK, whose behaviour is what the tests are about.
   */
  public KubernetesClient newOperatorClient() {
    return newOperatorClient(1);
  }

  /** A client for the operator that retries a failed request at most {@code retries} times. */
  public KubernetesClient newOperatorClient(int retries) {
    return server.createClient(
        b -> b.editOrNewConfig().withRequestRetryBackoffLimit(retries).endConfig());
  }

  /**
   * A client for the operator under test whose watches reconnect quickly after the server comes
   * back (fabric8 otherwise backs off exponentially from 1 s), so outage tests stay short.
   */
  public KubernetesClient newOperatorClientReconnectingFast() {
    return server.createClient(
        b ->
            b.editOrNewConfig()
                .withRequestRetryBackoffLimit(1)
                .withWatchReconnectInterval(100)
                .endConfig());
  }

  public String url() {
    return server.url("/");
  }

  public int port() {
    return port;
  }

  /**
   * Takes the API server away: the port is closed and every open connection, watches included, is
   * dropped. The stored objects stay in the dispatcher.
   */
  public synchronized void stopServer() {
    if (server != null) {
      server.destroy();
      server = null;
    }
  }

  /** Brings the API server back on the same port, with the same objects. */
  public synchronized void restartServer() {
    if (server == null) {
      server = server(dispatcher);
      server.init(InetAddress.getLoopbackAddress(), port);
    }
  }

  @Override
  public void close() {
    client.close();
    stopServer();
  }
}
