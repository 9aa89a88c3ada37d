package dev.mlplatform.server.fetch;

/**
 * A file of a repository as the Hub lists it.
 *
 * @param path its path in the repository, e.g. {@code onnx/model.onnx}
 * @param size its size in bytes, or -1 when the listing does not say
 * @param sha256 the SHA-256 of its content (Git LFS files), or {@code null}
 */
public record RepoFile(String path, long size, String sha256) {}
