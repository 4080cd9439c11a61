package io.github.sanasr.gui;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.Menus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.MultiLineLabel;
import ij.measure.Calibration;
import ij.plugin.frame.Recorder;

import java.awt.Button;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Dialog;
import java.awt.EventQueue;
import java.awt.Label;
import java.awt.Menu;
import java.awt.MenuBar;
import java.awt.MenuItem;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.TextArea;
import java.awt.TextField;
import java.awt.Toolkit;
import java.awt.Window;
import java.awt.event.ActionEvent;
import java.awt.event.KeyEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * TEST-ONLY, runs inside the real ImageJ 1.x application (Debian's {@code imagej}, under Xvfb), started from
 * a macro: {@code call("io.github.sanasr.gui.Ij1GuiDriver.drive", image, outDir)}. A person's session with the
 * installed plugin: the image is opened and calibrated, the macro recorder is opened, the menu entry Plugins ›
 * SANA-SR › Super-resolve (SANA-SR) is looked up in ImageJ's menu bar and chosen, the dialog appears and OK
 * is clicked (java.awt.Robot, a real mouse click), the result window appears; then a second run is cancelled
 * with the Esc key. Screenshots, the recorded macro and the GUI's result go to outDir; facts are printed as
 * {@code KEY value} lines for {@code ImageJ1GuiTest}. The driver runs in its own thread (Esc aborts running
 * macros in ImageJ 1.x) and ends ImageJ itself.
 */
public final class Ij1GuiDriver {

	static final String COMMAND = "Super-resolve (SANA-SR)";

	private Ij1GuiDriver() {}

	public static String drive(final String image, final String outDir) {
		Awt.watchdog(420, () -> "windows: " + java.util.Arrays.toString(WindowManager.getImageTitles()));
		final Thread t = new Thread(() -> {
			int status = 0;
			try {
				session(image, Files.createDirectories(Path.of(outDir)));
			}
			catch (final Throwable e) {
				System.out.println("DRIVER FAILED " + e);
				e.printStackTrace(System.out);
				status = 3;
			}
			System.out.flush();
			System.exit(status);
		}, "SANA-SR GUI driver");
		t.start();
		return "started";
	}

	private static void session(final String image, final Path out) throws Exception {
		final Robot robot = new Robot();
		final ImageJ ij = IJ.getInstance();
		if (ij == null) throw new IllegalStateException("no ImageJ window");
		final ImagePlus input = IJ.openImage(image);
		final Calibration cal = input.getCalibration();
		cal.pixelWidth = cal.pixelHeight = 0.4;
		cal.setUnit("micron");
		input.show();
		Awt.waitFor("the image window", 30, () -> input.getWindow() != null && input.getWindow().isShowing());
		EventQueue.invokeAndWait(() -> IJ.run("Record..."));
		Awt.waitFor("the recorder", 30, () -> Recorder.getInstance() != null && Recorder.record);
		System.out.println("IMAGEJ " + IJ.getVersion());

		// the menu entry, as ImageJ built it from the installed jar's plugins.config
		final MenuItem item = menuItem(Menus.getMenuBar(), out);
		System.out.println("COMMAND_CLASS " + Menus.getCommands().get(COMMAND));

		// first run: choose the menu item, click OK in the dialog, wait for the result window
		input.getWindow().toFront();
		WindowManager.setCurrentWindow(input.getWindow());
		choose(item);
		final Dialog dialog = waitForDialog(COMMAND, 30);
		Awt.waitUntilReady(robot, dialog, button(dialog, "OK"), 30);
		for (final Component c : Awt.components(dialog)) {
			if (c instanceof Label l && !l.getText().isBlank()) System.out.println("FIELD " + l.getText());
			if (c instanceof java.awt.Checkbox b) System.out.println("FIELD " + b.getLabel());
			if (c instanceof MultiLineLabel m) System.out.println("FIELD " + String.join(" ", lines(m)));
		}
		// choices, not free text: model, scale and prompt are lists
		for (final Object o : ((GenericDialog) dialog).getChoices()) {
			final Choice c = (Choice) o;
			final List<String> items = new ArrayList<>();
			for (int i = 0; i < c.getItemCount(); i++)
				items.add(c.getItem(i));
			System.out.println("CHOICE " + c.getSelectedItem() + " of " + items);
		}
		Awt.shoot(robot, dialog.getBounds(), out.resolve("dialog.png"));
		pressOk(robot, dialog);
		final String title = "cell-SANA-SR-x4";
		Awt.waitFor("the result window", 300, () -> {
			final ImagePlus r = WindowManager.getImage(title);
			return r != null && r.getWindow() != null && r.getWindow().isShowing();
		});
		final ImagePlus result = WindowManager.getImage(title);
		Awt.waitUntilReady(robot, result.getWindow(), result.getCanvas(), 30);
		System.out.println("RESULT " + result.getTitle() + " " + result.getWidth() + "x" + result.getHeight() +
			" images=" + WindowManager.getImageCount());
		final Rectangle shot = ij.getBounds().union(result.getWindow().getBounds()).union(input.getWindow().getBounds())
			.intersection(new Rectangle(Toolkit.getDefaultToolkit().getScreenSize()));
		Awt.shoot(robot, shot, out.resolve("result.png"));
		// the recorder writes the line when the command has returned
		Awt.waitFor("the recorded line", 30, () -> Recorder.getInstance().getText().contains("run(\"" + COMMAND));
		final String recorded = Recorder.getInstance().getText();
		Files.writeString(out.resolve("recorded.ijm"), recorded);
		for (final String line : recorded.split("\n"))
			System.out.println("RECORDED " + line);
		IJ.saveAsTiff(result, out.resolve("gui-result.tif").toString());

		// second run: cancelled with Esc while it runs
		final int images = WindowManager.getImageCount();
		input.getWindow().toFront();
		WindowManager.setCurrentWindow(input.getWindow());
		choose(item);
		final Dialog again = waitForDialog(COMMAND, 30);
		// the smallest tiles, so that the run lasts: the person types 32 into the tile field (with 64, model 1.0.0
		// finished cell.png before the Esc arrived; 32 gives about 800 network calls)
		final TextField tile = fieldAfter(again, "Tile");
		Awt.waitUntilReady(robot, again, tile, 30);
		Awt.click(robot, tile);
		EventQueue.invokeAndWait(() -> tile.setText("32"));
		pressOk(robot, again);
		Awt.waitFor("tiles running", 120, () -> ImageJ.getStatusBarText().contains("Esc cancels"));
		System.out.println("STATUS " + ImageJ.getStatusBarText());
		// Esc goes to the focused window: ImageJ sets its escape flag from the image window's key listener; the
		// input window is under the result window, so it comes to the front first
		EventQueue.invokeAndWait(() -> input.getWindow().toFront());
		Awt.waitUntilPlaced(robot, input.getWindow(), input.getCanvas(), false, 30);
		Awt.click(robot, input.getCanvas());
		Awt.waitFor("the input window focused by the click", 30, () -> input.getWindow().isFocused());
		robot.keyPress(KeyEvent.VK_ESCAPE);
		robot.keyRelease(KeyEvent.VK_ESCAPE);
		final Dialog message = waitForDialog("SANA-SR", 90);
		Awt.waitUntilReady(robot, message, button(message, "OK"), 30);
		for (final Component c : Awt.components(message)) {
			if (c instanceof Label l) System.out.println("CANCEL_MESSAGE " + l.getText());
			if (c instanceof TextArea a) System.out.println("CANCEL_MESSAGE " + a.getText());
			if (c instanceof MultiLineLabel m) System.out.println("CANCEL_MESSAGE " + String.join(" ", lines(m)));
		}
		Awt.shoot(robot, message.getBounds(), out.resolve("cancelled.png"));
		Awt.click(robot, button(message, "OK"));
		Awt.waitFor("the message closed", 30, () -> !message.isShowing());
		System.out.println("AFTER_CANCEL images=" + WindowManager.getImageCount() + " (before: " + images + ")");
		System.out.println("DRIVER DONE");
	}

	/** One real click on OK, once the dialog has the focus and the button is in place; the dialog must close. */
	private static void pressOk(final Robot robot, final Dialog d) throws Exception {
		final Button ok = button(d, "OK");
		Awt.waitUntilReady(robot, d, ok, 30);
		final int[] presses = { 0 };
		ok.addMouseListener(new java.awt.event.MouseAdapter() {

			@Override
			public void mousePressed(final java.awt.event.MouseEvent e) {
				presses[0]++;
			}
		});
		final java.awt.Point at = ok.getLocationOnScreen();
		System.out.println("OK_AT " + at.x + "," + at.y + " " + ok.getWidth() + "x" + ok.getHeight() + " dialog=" +
			d.getBounds() + " focused=" + d.isFocused() + " owner=" + java.awt.KeyboardFocusManager
				.getCurrentKeyboardFocusManager().getFocusOwner());
		Awt.click(robot, ok);
		try {
			Awt.waitFor("the dialog '" + d.getTitle() + "' to close after one click on OK", 30, () -> !d.isShowing());
		}
		catch (final IllegalStateException e) {
			System.out.println("OK_PRESSES_SEEN " + presses[0] + " pointer=" + java.awt.MouseInfo.getPointerInfo()
				.getLocation());
			Awt.shoot(robot, new Rectangle(Toolkit.getDefaultToolkit().getScreenSize()), Path.of(System.getProperty(
				"java.io.tmpdir"), "sanasr-ok-stuck.png"));
			throw e;
		}
		System.out.println("OK_CLICKS 1");
	}

	/** The text field that follows the label starting with {@code label} in a GenericDialog. */
	private static TextField fieldAfter(final Dialog d, final String label) {
		boolean seen = false;
		for (final Component c : Awt.components(d)) {
			if (c instanceof Label l && l.getText().startsWith(label)) seen = true;
			else if (seen && c instanceof TextField t) return t;
		}
		throw new IllegalStateException("no text field after '" + label + "' in " + d.getTitle());
	}

	private static MenuItem menuItem(final MenuBar bar, final Path out) {
		MenuItem found = null;
		int count = 0;
		final List<String> sanasr = new ArrayList<>();
		for (int i = 0; i < bar.getMenuCount(); i++) {
			final Menu m = bar.getMenu(i);
			for (final MenuItem it : items(m)) {
				if (it.getLabel().equals(COMMAND)) count++;
			}
			if (!m.getLabel().equals("Plugins")) continue;
			for (int k = 0; k < m.getItemCount(); k++) {
				if (m.getItem(k) instanceof Menu sub && sub.getLabel().equals("SANA-SR")) {
					for (int j = 0; j < sub.getItemCount(); j++) {
						sanasr.add(sub.getItem(j).getLabel());
						if (sub.getItem(j).getLabel().equals(COMMAND)) found = sub.getItem(j);
					}
				}
			}
		}
		System.out.println("MENU Plugins>SANA-SR " + sanasr);
		System.out.println("MENU_COUNT " + count);
		if (found == null) throw new IllegalStateException("no Plugins>SANA-SR>" + COMMAND + " in the menu bar");
		return found;
	}

	private static List<MenuItem> items(final Menu m) {
		final List<MenuItem> all = new ArrayList<>();
		for (int i = 0; i < m.getItemCount(); i++) {
			final MenuItem it = m.getItem(i);
			all.add(it);
			if (it instanceof Menu sub) all.addAll(items(sub));
		}
		return all;
	}

	/** What choosing the item with the mouse does: its ActionEvent, on the event thread, to ImageJ. */
	private static void choose(final MenuItem item) {
		EventQueue.invokeLater(() -> item.dispatchEvent(new ActionEvent(item, ActionEvent.ACTION_PERFORMED,
			item.getActionCommand())));
	}

	private static Dialog waitForDialog(final String title, final int seconds) throws InterruptedException {
		final Dialog[] found = new Dialog[1];
		Awt.waitFor("a dialog '" + title + "'", seconds, () -> {
			for (final Window w : Window.getWindows()) {
				if (w instanceof Dialog d && d.isShowing() && title.equals(d.getTitle())) {
					found[0] = d;
					return true;
				}
			}
			return false;
		});
		return found[0];
	}

	/** ImageJ's message text; MultiLineLabel has no getter. */
	private static String[] lines(final MultiLineLabel m) throws ReflectiveOperationException {
		final java.lang.reflect.Field lines = MultiLineLabel.class.getDeclaredField("lines");
		lines.setAccessible(true);
		return (String[]) lines.get(m);
	}

	private static Button button(final Dialog d, final String label) {
		for (final Component c : Awt.components(d))
			if (c instanceof Button b && b.getLabel().trim().equalsIgnoreCase(label)) return b;
		throw new IllegalStateException("no button " + label + " in " + d.getTitle());
	}
}
