package dev.mlplatform.server.api;

import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ServedBy;

@ServedBy("PyTorch")
class PyTorchEmbeddingRoutesIT extends EmbeddingRoutesContract {
  PyTorchEmbeddingRoutesIT(ApiClient api) {
    super(api);
  }
}
