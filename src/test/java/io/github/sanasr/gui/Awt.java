package io.github.sanasr.gui;

import java.awt.Button;
import java.awt.Component;
import java.awt.Container;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.event.InputEvent;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import javax.imageio.ImageIO;

/**
 * TEST-ONLY AWT helpers for the GUI sessions (real mouse clicks, screenshots, waits, a watchdog); plain AWT,
 * no SciJava, so they also run inside the plain ImageJ 1.x application ({@link Ij1GuiDriver}).
 */
public final class Awt {

	private Awt() {}

	/** A real click: the mouse moves onto the component and presses button 1. */
	public static void click(final Robot robot, final Component c) {
		final Point p = c.getLocationOnScreen();
		final int x = p.x + Math.min(c.getWidth() / 2, 8), y = p.y + c.getHeight() / 2;
		robot.mouseMove(c instanceof Button ? p.x + c.getWidth() / 2 : x, y);
		robot.mousePress(InputEvent.BUTTON1_DOWN_MASK);
		robot.mouseRelease(InputEvent.BUTTON1_DOWN_MASK);
		robot.waitForIdle();
	}

	public static List<Component> components(final Container c) {
		final List<Component> all = new ArrayList<>();
		for (final Component k : c.getComponents()) {
			all.add(k);
			if (k instanceof Container kc) all.addAll(components(kc));
		}
		return all;
	}

	public static void shoot(final Robot robot, final Rectangle r, final Path file) throws Exception {
		final BufferedImage img = robot.createScreenCapture(r);
		ImageIO.write(img, "png", new File(file.toString()));
		System.out.println("SCREENSHOT " + file);
	}

	public static void waitFor(final String what, final int seconds, final BooleanSupplier condition)
		throws InterruptedException
	{
		final long end = System.nanoTime() + seconds * 1_000_000_000L;
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > end) throw new IllegalStateException("timed out after " + seconds + " s waiting for " + what);
			Thread.sleep(50);
		}
	}

	/** Exits the JVM with status 4 after {@code seconds}, printing {@code report}: a GUI test never hangs. */
	public static void watchdog(final int seconds, final java.util.function.Supplier<String> report) {
		final Thread t = new Thread(() -> {
			try {
				Thread.sleep(seconds * 1000L);
				System.out.println("TIMEOUT after " + seconds + " s; " + report.get());
				System.exit(4);
			}
			catch (final InterruptedException e) {
				// done
			}
		}, "watchdog");
		t.setDaemon(true);
		t.start();
	}
}
