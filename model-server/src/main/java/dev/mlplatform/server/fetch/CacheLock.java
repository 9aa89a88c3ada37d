package dev.mlplatform.server.fetch;

import dev.mlplatform.server.fetch.ModelFetchException.Reason;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * An exclusive lock on a cache folder, held by one fetcher at a time across processes (pods that
 * share a cache volume) and threads: the others wait, then find the work done.
 */
final class CacheLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private CacheLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static CacheLock acquire(Path folder, String what, Consumer<String> log) throws IOException {
    Files.createDirectories(folder);
    FileChannel channel =
        FileChannel.open(
            folder.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    boolean said = false;
    try {
      while (true) {
        try {
          FileLock lock = channel.tryLock();
          if (lock != null) {
            return new CacheLock(channel, lock);
          }
        } catch (OverlappingFileLockException sameJvm) {
          // another fetcher in this process holds it: wait the same way
        }
        if (!said) {
          log.accept(what + ": another fetcher is downloading into this cache; waiting for it");
          said = true;
        }
        Thread.sleep(200);
      }
    } catch (InterruptedException e) {
      channel.close();
      Thread.currentThread().interrupt();
      throw new ModelFetchException(Reason.DownloadFailed, what + ": interrupted while waiting", e);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
