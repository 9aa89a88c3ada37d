package dev.mlplatform.server.api;

import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ServedBy;

@ServedBy("OnnxRuntime")
class OnnxEmbeddingRoutesIT extends EmbeddingRoutesContract {
  OnnxEmbeddingRoutesIT(ApiClient api) {
    super(api);
  }
}
