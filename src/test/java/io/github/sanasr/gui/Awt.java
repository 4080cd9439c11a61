package io.github.sanasr.gui;

import java.awt.Button;
import java.awt.Component;
import java.awt.Container;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Window;
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

	/**
	 * A real click: the mouse moves onto the component and, once the X server says the pointer is over it
	 * ({@link Component#getMousePosition()}: without a window manager a window may still move after it shows,
	 * and a press at the old place would land on whatever is there now), presses button 1 once.
	 */
	public static void click(final Robot robot, final Component c) {
		final long end = System.nanoTime() + 10_000_000_000L;
		while (true) {
			final Point p = c.getLocationOnScreen();
			final int x = c instanceof Button ? p.x + c.getWidth() / 2 : p.x + Math.min(c.getWidth() / 2, 8);
			robot.mouseMove(x, p.y + c.getHeight() / 2);
			robot.waitForIdle();
			if (c.getMousePosition() != null) break;
			if (System.nanoTime() > end) throw new IllegalStateException("the pointer never came over " + c);
			robot.delay(50);
		}
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

	/**
	 * Waits until {@code w} is showing, has the keyboard focus and {@code c} (one of its components, or
	 * {@code w} itself) is showing at a place on screen that has not moved for 300 ms; then lets the event queue
	 * drain. {@link #click} also checks that the pointer is over the component before it presses. Without a window manager (Xvfb) a window is mapped, placed and focused a moment after
	 * {@code setVisible} returns: a click before that lands on whatever was there, so tests wait for this rather
	 * than sleep a fixed time.
	 */
	public static void waitUntilReady(final Robot robot, final Window w, final Component c, final int seconds)
		throws Exception
	{
		final String what = "'" + title(w) + "' showing, focused and in place";
		final Point[] last = { null };
		final int[] still = { 0 };
		waitFor(what, seconds, () -> {
			if (!w.isShowing() || !c.isShowing() || !w.isFocused()) return false;
			final Point now = c.getLocationOnScreen();
			still[0] = now.equals(last[0]) ? still[0] + 1 : 0;
			last[0] = now;
			return still[0] >= 6; // the same place for 300 ms
		});
		settle(robot);
		// Java's idea of where the window is must be the X server's: without a window manager a dialog shown a
		// second time was seen drawn at its centred place while Java reported (0,0). Where the pointer, put on
		// the component by Java's coordinates, is not over it, Java's location is sent to the X server again.
		final long end = System.nanoTime() + seconds * 1_000_000_000L;
		while (!pointerOver(robot, c)) {
			if (System.nanoTime() > end) throw new IllegalStateException("timed out after " + seconds +
				" s: the pointer never came over " + c + " of " + what);
			System.out.println("AWT_RELOCATE " + title(w) + " at " + w.getLocation());
			java.awt.EventQueue.invokeAndWait(() -> {
				final Point at = w.getLocation();
				w.setLocation(at.x + 1, at.y);
				w.setLocation(at);
			});
			settle(robot);
		}
	}

	private static boolean pointerOver(final Robot robot, final Component c) {
		final Point p = c.getLocationOnScreen();
		robot.mouseMove(p.x + c.getWidth() / 2, p.y + c.getHeight() / 2);
		robot.waitForIdle();
		return c.getMousePosition() != null;
	}

	public static void waitUntilReady(final Robot robot, final Window w, final int seconds) throws Exception {
		waitUntilReady(robot, w, w, seconds);
	}

	/** Lets the display and the event queue catch up: pending X requests, robot events, repaints. */
	public static void settle(final Robot robot) throws Exception {
		java.awt.Toolkit.getDefaultToolkit().sync();
		robot.waitForIdle();
		java.awt.EventQueue.invokeAndWait(() -> {});
		robot.waitForIdle();
	}

	private static String title(final Window w) {
		return w instanceof java.awt.Dialog d ? d.getTitle() : w instanceof java.awt.Frame f ? f.getTitle() : w.getName();
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
