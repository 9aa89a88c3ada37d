package dev.mlplatform.server.inference;

/**
 * The engine a model runs on and the weights file it loads.
 *
 * @param engine the backend chosen
 * @param weights the weights path relative to the model's root, as {@link EngineBackend#weightsIn}
 *     gave it
 */
public record EngineChoice(EngineBackend engine, String weights) {}
