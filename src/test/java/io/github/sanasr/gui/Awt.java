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
	 * drain. Without a window manager (Xvfb) a window is mapped, placed and focused a moment after
	 * {@code setVisible} returns: a click before that lands on whatever was there, so tests wait for this rather
	 * than sleep a fixed time. {@link #click} also checks that the pointer is over the component.
	 */
	public static void waitUntilReady(final Robot robot, final Window w, final Component c, final int seconds)
		throws Exception
	{
		waitUntilPlaced(robot, w, c, true, seconds);
	}

	/**
	 * As {@link #waitUntilReady}, without waiting for the focus when {@code focus} is false: for a window that
	 * gets it only from a click (without a window manager, raising a window does not focus it).
	 */
	public static void waitUntilPlaced(final Robot robot, final Window w, final Component c, final boolean focus,
		final int seconds) throws Exception
	{
		final String what = "'" + title(w) + "' showing" + (focus ? ", focused" : "") + " and in place";
		waitFor("'" + title(w) + "' showing", seconds, () -> w.isShowing() && c.isShowing());
		// Java's idea of where the window is must be the X server's. Without a window manager, a dialog was seen
		// drawn at its centred place while Java reported (0,0) (a late configure event from its first mapping):
		// clicks computed from Java's coordinates then land beside it, and even Component.getMousePosition() is
		// fooled. Sending Java's location to the X server again makes the two agree; it is sent until Java's
		// location stays what was sent.
		final long end = System.nanoTime() + seconds * 1_000_000_000L;
		while (true) {
			final Point[] sent = { null };
			java.awt.EventQueue.invokeAndWait(() -> {
				sent[0] = w.getLocation();
				w.setLocation(sent[0].x + 1, sent[0].y);
				w.setLocation(sent[0]);
			});
			settle(robot);
			final Point[] last = { null };
			final int[] still = { 0 };
			waitFor(what, (int) Math.max(1, (end - System.nanoTime()) / 1_000_000_000L), () -> {
				if (!w.isShowing() || !c.isShowing() || focus && !w.isFocused()) return false;
				final Point now = c.getLocationOnScreen();
				still[0] = now.equals(last[0]) ? still[0] + 1 : 0;
				last[0] = now;
				return still[0] >= 6; // the same place for 300 ms
			});
			settle(robot);
			if (w.getLocation().equals(sent[0])) return;
			System.out.println("AWT_MOVED " + title(w) + " from " + sent[0] + " to " + w.getLocation());
			if (System.nanoTime() > end) throw new IllegalStateException("'" + title(w) + "' does not stay in place");
		}
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
