package io.github.sanasr.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import javax.imageio.ImageIO;

/**
 * The scaling figure, drawn with Java2D (headless): two panels, time and memory per output pixel relative to
 * the smallest tile, against the output side on a log2 axis; log2 vertical axis, so linear cost is a flat line
 * and quadratic attention a rising one; the ±15% band shaded.
 */
final class ScalingPlot {

	private static final Color[] COLOURS = { new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
		new Color(0x9467bd) };
	private static final int W = 1160, H = 540, PANEL_W = 470, PANEL_H = 330, TOP = 95, LEFT = 80, GAP = 100;

	private ScalingPlot() {}

	static void write(final List<ScalingBench.Series> series, final Path file, final String subtitle) throws IOException {
		final BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
		final Graphics2D g = img.createGraphics();
		g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		g.setColor(Color.WHITE);
		g.fillRect(0, 0, W, H);
		g.setColor(Color.BLACK);
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
		g.drawString("SANA-SR CPU scaling: cost per output pixel vs tile size", LEFT, 28);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
		g.drawString(subtitle, LEFT, 48);
		panel(g, LEFT, TOP, "time per output pixel (relative)", series, s -> s.nsPerPixel);
		panel(g, LEFT + PANEL_W + GAP, TOP, "peak memory per output pixel (relative)", series, s -> s.bytesPerPixel);
		g.dispose();
		Files.createDirectories(file.toAbsolutePath().getParent());
		ImageIO.write(img, "png", file.toFile());
	}

	private static void panel(final Graphics2D g, final int x0, final int y0, final String title,
		final List<ScalingBench.Series> series, final Function<ScalingBench.Series, List<Double>> values)
	{
		// axes ranges: sides over all series (log2), relative values clamped into [1/2, max rounded up to a power of 2]
		double minSide = Double.MAX_VALUE, maxSide = 0, maxRel = 2, minRel = 0.5;
		for (final ScalingBench.Series s : series) {
			final List<Double> v = values.apply(s);
			for (int i = 0; i < s.outputSide.size(); i++) {
				minSide = Math.min(minSide, s.outputSide.get(i));
				maxSide = Math.max(maxSide, s.outputSide.get(i));
				final double rel = s.relative(v, i);
				if (Double.isFinite(rel)) {
					maxRel = Math.max(maxRel, rel);
					minRel = Math.min(minRel, rel);
				}
			}
		}
		if (maxSide <= minSide) maxSide = minSide * 2;
		final double lx0 = log2(minSide), lx1 = log2(maxSide), ly0 = Math.floor(log2(minRel)), ly1 = Math.ceil(log2(maxRel));
		final Function<Double, Integer> px = s -> x0 + (int) Math.round((log2(s) - lx0) / (lx1 - lx0) * PANEL_W);
		final Function<Double, Integer> py = r -> y0 + PANEL_H - (int) Math.round((log2(r) - ly0) / (ly1 - ly0) * PANEL_H);
		// the ±15% band around "flat"
		g.setColor(new Color(0xe8f4e8));
		final int bandTop = py.apply(1 + ScalingBench.FLAT), bandBottom = py.apply(1 - ScalingBench.FLAT);
		g.fillRect(x0, bandTop, PANEL_W, bandBottom - bandTop);
		// grid and labels
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
		for (double l = ly0; l <= ly1 + 1e-9; l++) {
			final double r = Math.pow(2, l);
			final int y = py.apply(r);
			g.setColor(new Color(0xdddddd));
			g.drawLine(x0, y, x0 + PANEL_W, y);
			g.setColor(Color.DARK_GRAY);
			final String label = java.math.BigDecimal.valueOf(r).stripTrailingZeros().toPlainString() + "×";
			g.drawString(label, x0 - 8 - g.getFontMetrics().stringWidth(label), y + 4);
		}
		for (double l = lx0; l <= lx1 + 1e-9; l++) {
			final double s = Math.pow(2, l);
			final int x = px.apply(s);
			g.setColor(new Color(0xdddddd));
			g.drawLine(x, y0, x, y0 + PANEL_H);
			g.setColor(Color.DARK_GRAY);
			final String label = String.format(Locale.ROOT, "%.0f²", s);
			g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, y0 + PANEL_H + 16);
		}
		g.setColor(Color.BLACK);
		g.drawRect(x0, y0, PANEL_W, PANEL_H);
		g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
		g.drawString(title, x0, y0 - 8);
		g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
		g.drawString("output tile (pixels, log scale)", x0 + PANEL_W / 2 - 70, y0 + PANEL_H + 34);
		// one line per series; the legend goes under the panels
		int legendY = y0 + PANEL_H + 62;
		for (int k = 0; k < series.size(); k++) {
			final ScalingBench.Series s = series.get(k);
			final List<Double> v = values.apply(s);
			g.setColor(COLOURS[k % COLOURS.length]);
			g.setStroke(new BasicStroke(2.2f));
			Integer lastX = null, lastY = null;
			for (int i = 0; i < s.outputSide.size(); i++) {
				final double rel = s.relative(v, i);
				if (!Double.isFinite(rel)) continue;
				final int x = px.apply((double) s.outputSide.get(i)), y = py.apply(Math.max(rel, Math.pow(2, ly0)));
				g.fillOval(x - 4, y - 4, 8, 8);
				if (lastX != null) g.drawLine(lastX, lastY, x, y);
				lastX = x;
				lastY = y;
			}
			g.drawLine(x0, legendY - 4, x0 + 20, legendY - 4);
			g.setColor(Color.BLACK);
			g.drawString(s.label, x0 + 26, legendY);
			legendY += 16;
		}
		g.setColor(new Color(0x4a8a4a));
		g.drawString("±15% band", x0 + PANEL_W - 70, bandBottom + 13);
		g.setStroke(new BasicStroke(1f));
	}

	private static double log2(final double v) {
		return Math.log(v) / Math.log(2);
	}
}
