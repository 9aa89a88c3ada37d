package dev.mlplatform.server.fetch;

import java.nio.file.Path;

/**
 * A repository's files, complete in the cache.
 *
 * @param source what was asked for, e.g. {@code hf://BAAI/bge-small-en-v1.5@main}
 * @param directory the snapshot folder that holds the files, laid out as in the repository
 * @param commit the commit the revision resolved to (reused while it stays in the cache)
 * @param bytes the total size of the files
 * @param weightsSha256 the SHA-256 of the weights file
 * @param downloaded whether this fetch used the network (false: all of it came from the cache)
 */
public record FetchedModel(
    String source,
    Path directory,
    String commit,
    long bytes,
    String weightsSha256,
    boolean downloaded) {}
