package io.github.sanasr.macro;

/**
 * {@code java ... io.github.sanasr.macro.MacroHarness -batch macro.ijm "args"}: installs the test bridge,
 * then hands over to {@code ij.ImageJ.main} exactly as Fiji's launcher runs {@code -batch} macros.
 */
public final class MacroHarness {

	private MacroHarness() {}

	public static void main(final String[] args) {
		SciJavaMacroBridge.install();
		ij.ImageJ.main(args);
	}
}
