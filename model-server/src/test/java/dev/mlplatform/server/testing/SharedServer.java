package dev.mlplatform.server.testing;

import dev.mlplatform.server.ModelServer;
import dev.mlplatform.server.inference.EngineRegistry;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Real model servers (ephemeral ports) shared by the integration test classes: one per engine, as
 * the class's {@link ServedBy} says (ONNX Runtime when absent), started once and stopped when the
 * test run ends.
 */
public final class SharedServer implements BeforeAllCallback, ParameterResolver {

  @Override
  public void beforeAll(ExtensionContext context) {
    server(context);
  }

  private static ModelServer server(ExtensionContext context) {
    ServedBy servedBy = context.getRequiredTestClass().getAnnotation(ServedBy.class);
    String engine = servedBy == null ? "OnnxRuntime" : servedBy.value();
    return context
        .getRoot()
        .getStore(ExtensionContext.Namespace.create(SharedServer.class))
        .getOrComputeIfAbsent(engine, Handle::new, Handle.class)
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

    Handle(String engine) {
      Map<String, String> env =
          engine.equals("PyTorch")
              ? Map.of("MODEL_URI", "file://" + Fixtures.torchScriptModel())
              : Map.of();
      server = new ModelServer(TestEnv.config(env), EngineRegistry.standard(), "test");
      server.loadModel();
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
