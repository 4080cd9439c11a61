import ij.IJ;
import ij.ImagePlus;
import ij.io.FileSaver;
import ij.process.ImageProcessor;

import java.io.File;
import java.util.Arrays;
import java.util.Random;

/**
 * Helpers for bench/spark/run.sh, run as a single source file on the plugin's ImageJ:
 * {@code make SRC DST N SIZE} writes N SIZE x SIZE 8-bit grey PNGs cropped from SRC's PNGs (fixed seed);
 * {@code same A B} exits 0 when every .tif in A has a file of the same name in B with the same pixels.
 */
public class BenchTool {

	public static void main(final String[] args) throws Exception {
		if (args[0].equals("make")) make(new File(args[1]), new File(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
		else if (args[0].equals("same")) System.exit(same(new File(args[1]), new File(args[2])) ? 0 : 1);
		else throw new IllegalArgumentException(args[0]);
	}

	static void make(final File src, final File dst, final int n, final int size) {
		final File[] files = src.listFiles((d, name) -> name.endsWith(".png"));
		Arrays.sort(files);
		final Random rnd = new Random(12);
		for (int i = 0; i < n; i++) {
			final ImagePlus imp = IJ.openImage(files[i % files.length].getPath());
			ImageProcessor ip = imp.getProcessor().convertToByte(true);
			final int s = Math.min(ip.getWidth(), ip.getHeight());
			final int c = s / 2 + rnd.nextInt(s / 2 + 1);
			ip.setRoi(rnd.nextInt(ip.getWidth() - c + 1), rnd.nextInt(ip.getHeight() - c + 1), c, c);
			ip = ip.crop();
			ip.setInterpolationMethod(ImageProcessor.BICUBIC);
			ip = ip.resize(size, size);
			if (!new FileSaver(new ImagePlus("p", ip)).saveAsPng(new File(dst, String.format("plane%03d.png", i)).getPath()))
				throw new IllegalStateException("cannot write into " + dst);
		}
	}

	static boolean same(final File a, final File b) {
		final File[] files = a.listFiles((d, name) -> name.endsWith(".tif"));
		if (files == null || files.length == 0) return false;
		for (final File f : files) {
			final ImagePlus x = IJ.openImage(f.getPath()), y = IJ.openImage(new File(b, f.getName()).getPath());
			if (y == null || x.getStackSize() != y.getStackSize() || x.getType() != y.getType()) return false;
			for (int i = 1; i <= x.getStackSize(); i++) {
				final Object p = x.getStack().getPixels(i), q = y.getStack().getPixels(i);
				final boolean eq = p instanceof byte[] ? Arrays.equals((byte[]) p, (byte[]) q)
					: p instanceof short[] ? Arrays.equals((short[]) p, (short[]) q)
					: p instanceof int[] ? Arrays.equals((int[]) p, (int[]) q) : Arrays.equals((float[]) p, (float[]) q);
				if (!eq) {
					System.err.println("differs: " + f.getName());
					return false;
				}
			}
		}
		return true;
	}
}
