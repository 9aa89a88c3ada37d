package dev.mlplatform.server.fetch;

import java.util.List;

/**
 * A repository's files at one commit.
 *
 * @param commit the commit the revision resolved to
 * @param files every file of the repository at that commit
 */
public record RepoListing(String commit, List<RepoFile> files) {}
