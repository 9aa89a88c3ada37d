package dev.mlplatform.server.api;

import dev.mlplatform.server.ModelServer;
import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ServedBy;

@ServedBy("PyTorch")
class PyTorchMetricsIT extends MetricsContract {
  PyTorchMetricsIT(ModelServer server, ApiClient api) {
    super(server, api);
  }
}
