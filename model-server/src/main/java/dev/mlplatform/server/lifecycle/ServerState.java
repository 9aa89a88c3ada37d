package dev.mlplatform.server.lifecycle;

import dev.mlplatform.server.embedding.LoadedModel;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The server's phase and, once loaded, its model; read by every request, written by the lifecycle.
 */
public final class ServerState {
  private final AtomicReference<Phase> phase = new AtomicReference<>(Phase.STARTING);
  private final Consumer<Boolean> readinessListener;
  private volatile LoadedModel model;

  /**
   * @param readinessListener told whenever readiness changes (the ready gauge)
   */
  public ServerState(Consumer<Boolean> readinessListener) {
    this.readinessListener = readinessListener;
  }

  public Phase phase() {
    return phase.get();
  }

  public Optional<LoadedModel> model() {
    return Optional.ofNullable(model);
  }

  public void ready(LoadedModel loaded) {
    this.model = loaded;
    if (phase.compareAndSet(Phase.STARTING, Phase.READY)) {
      readinessListener.accept(true);
    }
  }

  public void draining() {
    phase.set(Phase.DRAINING);
    readinessListener.accept(false);
  }

  public void closing() {
    phase.set(Phase.CLOSING);
    readinessListener.accept(false);
  }
}
