package dev.mlplatform.server.inference;

import java.nio.file.Path;

/**
 * A model on disk, ready for DJL: a directory holding the weights and {@code tokenizer.json}.
 *
 * @param directory the model directory
 * @param weights the weights file inside it ({@code model.onnx} or a TorchScript {@code .pt})
 * @param tokenizer the Hugging Face {@code tokenizer.json}
 * @param engine the name of the engine the weights are for (an {@link EngineBackend#name()})
 * @param defaults what the model's own files say about sequence length, pooling and normalisation
 * @param prompts the named prompts the model's files define (none for most models)
 */
public record ModelFiles(
    Path directory,
    Path weights,
    Path tokenizer,
    String engine,
    ModelSettings defaults,
    Prompts prompts) {}
