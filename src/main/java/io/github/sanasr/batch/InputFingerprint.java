package io.github.sanasr.batch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which input file an output was made from: its size and SHA-256, recorded in the sidecar and compared on a
 * rerun. The hash, not the modification time, because copying a folder (rsync, a cluster stage-in) changes
 * times but not contents, and hashing costs little next to a restoration (bench/RESULTS.md, "Input hashing").
 */
public record InputFingerprint(long bytes, String sha256) {

	public static final String BYTES_KEY = "input_file_bytes", SHA256_KEY = "input_file_sha256";

	public static InputFingerprint of(final Path file) throws IOException {
		final MessageDigest md;
		try {
			md = MessageDigest.getInstance("SHA-256");
		}
		catch (final NoSuchAlgorithmException e) {
			throw new IllegalStateException("every Java has SHA-256", e);
		}
		long bytes = 0;
		try (InputStream in = Files.newInputStream(file)) {
			final byte[] buf = new byte[1 << 16];
			for (int n; (n = in.read(buf)) > 0;) {
				md.update(buf, 0, n);
				bytes += n;
			}
		}
		final StringBuilder sb = new StringBuilder(64);
		for (final byte b : md.digest())
			sb.append(String.format("%02x", b));
		return new InputFingerprint(bytes, sb.toString());
	}

	/** The sidecar entries. */
	public Map<String, String> entries() {
		final Map<String, String> m = new LinkedHashMap<>();
		m.put(BYTES_KEY, Long.toString(bytes));
		m.put(SHA256_KEY, sha256);
		return m;
	}
}
