package dev.mlplatform.server.api;

import dev.mlplatform.server.testing.ApiClient;
import dev.mlplatform.server.testing.ServedBy;

@ServedBy("OnnxRuntime")
class OnnxErrorResponsesIT extends ErrorResponsesContract {
  OnnxErrorResponsesIT(ApiClient api) {
    super(api);
  }
}
