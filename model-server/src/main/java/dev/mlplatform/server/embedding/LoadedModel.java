package dev.mlplatform.server.embedding;

import dev.mlplatform.server.inference.ModelSettings;
import dev.mlplatform.server.inference.Prompts;

/**
 * The model being served, as clients see it.
 *
 * @param id the model id reported in responses
 * @param engine the name of the engine running it
 * @param dimension vector length
 * @param settings truncation window, pooling and default normalisation
 * @param prompts the named prompts a request may put before its texts
 * @param service where texts become vectors
 */
public record LoadedModel(
    String id,
    String engine,
    int dimension,
    ModelSettings settings,
    Prompts prompts,
    EmbeddingService service) {}
