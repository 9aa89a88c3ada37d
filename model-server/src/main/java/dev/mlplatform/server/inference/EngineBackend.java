package dev.mlplatform.server.inference;

import java.util.Collection;
import java.util.Optional;

/**
 * One inference engine the server can run a model on: which weights file of a model it runs, and
 * how it loads them into an {@link EmbeddingModel}. Pooling is not the engine's: its runner hands
 * the token vectors of each pass to a {@link TokenPooler}. A new engine is a class implementing
 * this and its registration in {@link EngineRegistry#standard()}.
 */
public interface EngineBackend {

  /**
   * The engine's name as {@code spec.model.engine}, {@code MODEL_ENGINE}, DJL and /info spell it.
   */
  String name();

  /**
   * The weights file this engine would run among a model's files (the supports(files) question).
   *
   * @param files paths relative to the model directory or repository root, {@code /}-separated
   * @return the chosen path, or empty when none of the files is for this engine
   */
  Optional<String> weightsIn(Collection<String> files);

  /**
   * The files {@link #weightsIn} looks for and how to make one, for the message when a model has
   * none, e.g. {@code a TorchScript *.pt, from torch.jit.trace}.
   */
  String weightsWanted();

  /**
   * Whether this image carries the engine (the default image has no PyTorch). Must not start the
   * engine or load its natives: it is asked before a model on another engine is loaded.
   */
  boolean installed();

  /** Where a model on this engine can run when {@link #installed} is false. */
  String whereInstalled();

  /**
   * Loads the weights {@link #weightsIn} chose.
   *
   * @param threads intra-op threads of each forward pass
   * @param probe any tokenised text, for the one pass that tells the vector length
   */
  EmbeddingModel load(ModelFiles files, Pooling pooling, int threads, TokenizedText probe);
}
