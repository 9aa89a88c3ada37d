package dev.mlplatform.server.testing;

import dev.mlplatform.server.ModelServer;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One real model server (bundled fp32 model, ephemeral ports) shared by the integration test
 * classes that ask for it, started once and stopped when the test run ends.
 */
public final class SharedServer implements BeforeAllCallback, ParameterResolver {

  @Override
  public void beforeAll(ExtensionContext context) {
    server(context);
  }

  private static ModelServer server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.GLOBAL)
        .getOrComputeIfAbsent(SharedServer.class, k -> new Handle(), Handle.class)
        .server;
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == ModelServer.class || type == ApiClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    ModelServer server = server(context);
    return parameter.getParameter().getType() == ModelServer.class
        ? server
        : new ApiClient(server.httpPort());
  }

  private static final class Handle implements ExtensionContext.Store.CloseableResource {
    final ModelServer server;

    Handle() {
      server = new ModelServer(TestEnv.config(), "test");
      server.loadModel();
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
