package io.github.sanasr.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The plugin's version, as Maven wrote it into the jar. */
public final class Version {

	private static final String POM_PROPERTIES = "/META-INF/maven/io.github.sanasr/sana-sr-fiji/pom.properties";

	private Version() {}

	public static String get() {
		try (InputStream in = Version.class.getResourceAsStream(POM_PROPERTIES)) {
			if (in != null) {
				final Properties p = new Properties();
				p.load(in);
				return p.getProperty("version", "unknown");
			}
		}
		catch (final IOException e) {
			// fall through
		}
		final String v = Version.class.getPackage().getImplementationVersion();
		return v != null ? v : "unknown (running from classes, not from the packaged jar)";
	}
}
