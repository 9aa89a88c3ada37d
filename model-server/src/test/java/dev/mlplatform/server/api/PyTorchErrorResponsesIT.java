package dev.mlplatform.server.api;

import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ServedBy;

@ServedBy("PyTorch")
class PyTorchErrorResponsesIT extends ErrorResponsesContract {
  PyTorchErrorResponsesIT(ApiClient api) {
    super(api);
  }
}
