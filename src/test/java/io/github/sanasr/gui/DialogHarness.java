package io.github.sanasr.gui;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.measure.Calibration;
import io.github.sanasr.command.SuperResolveCommand;

import java.awt.Button;
import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.Component;
import java.awt.Container;
import java.awt.EventQueue;
import java.awt.Label;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.Toolkit;
import java.awt.Window;
import java.awt.event.InputEvent;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;

import javax.imageio.ImageIO;

import org.scijava.Cancelable;
import org.scijava.Context;
import org.scijava.command.CommandInfo;
import org.scijava.command.CommandService;
import org.scijava.module.Module;
import org.scijava.module.ModuleItem;
import org.scijava.module.ModuleService;
import org.scijava.module.process.LoadInputsPreprocessor;
import org.scijava.module.process.PostprocessorPlugin;
import org.scijava.module.process.PreprocessorPlugin;
import org.scijava.module.process.SaveInputsPreprocessor;
import org.scijava.plugin.PluginService;

/**
 * TEST-ONLY, needs a display (Xvfb): a person's session with the single-image command. ImageJ 1.x starts, a
 * calibrated sample image is opened and shown, the command's dialog ({@link ParameterDialog}) appears; a
 * "person" (java.awt.Robot, real mouse events) types the model folder, picks the CPU, ticks the fidelity map
 * and clicks OK; the command runs and its outputs are shown as image windows. Screenshots of the dialog and
 * of the result window go to OUT_DIR; facts about both are printed as {@code DIALOG}/{@code FIELD}/
 * {@code RESULT} lines for the test to check; {@code MODEL_CHOICES} and {@code PROMPT_CHOICES} list what the
 * model and prompt lists offer.
 *
 * <p>{@code java -Djava.awt.headless=false ... DialogHarness IMAGE MODEL OUT_DIR}; MODEL is what the person
 * chooses in the model list (with -Dsanasr.models.dir, the test models are on it). docs/dialog.png was made with
 * {@code xvfb-run -a -s "-screen 0 1280x1024x24" java -Djava.awt.headless=false
 * -Dsanasr.models.dir=src/test/resources/models -cp "target/test-classes:target/classes:target/lib/*"
 * io.github.sanasr.gui.DialogHarness sample-images/sem.png conv-x4 target/dialog-screenshots}.</p>
 */
public final class DialogHarness {

	static final String TITLE = "Super-resolve (SANA-SR)";
	static final double PIXEL_NM = 2.5;

	private DialogHarness() {}

	public static void main(final String[] args) throws Exception {
		final Path image = Path.of(args[0]);
		final String model = args[1];
		final Path out = Files.createDirectories(Path.of(args[2]));
		watchdog(120);
		new ImageJ();
		final ImagePlus imp = IJ.openImage(image.toString());
		final Calibration cal = imp.getCalibration();
		cal.pixelWidth = cal.pixelHeight = PIXEL_NM;
		cal.setUnit("nm");
		imp.show();
		waitFor("the input window", () -> imp.getWindow() != null && imp.getWindow().isShowing());

		final Context ctx = new Context();
		final CommandInfo info = ctx.service(CommandService.class).getCommand(SuperResolveCommand.class);
		final ModuleService modules = ctx.service(ModuleService.class);
		final Module module = modules.createModule(info);
		// the command's initialisers fill the model and prompt choice lists, as Fiji's harvester sees them
		module.initialize();
		final ParameterDialog pd = new ParameterDialog(module, TITLE);
		final Robot robot = new Robot();
		robot.setAutoDelay(40);
		final Thread person = new Thread(() -> person(pd, model, robot, out), "person");
		person.setDaemon(true);
		person.start();
		if (!pd.show(module)) {
			System.out.println("CANCELLED dialog");
			System.exit(3);
		}

		final List<PreprocessorPlugin> pre = ctx.service(PluginService.class).createInstancesOfType(PreprocessorPlugin.class)
			.stream().filter(p -> !(p instanceof LoadInputsPreprocessor) && !(p instanceof SaveInputsPreprocessor)).toList();
		final List<PostprocessorPlugin> post = ctx.service(PluginService.class).createInstancesOfType(PostprocessorPlugin.class);
		final long t0 = System.nanoTime();
		modules.run(module, pre, post, (java.util.Map<String, Object>) null).get();
		System.out.printf(Locale.ROOT, "RAN seconds=%.2f%n", (System.nanoTime() - t0) / 1e9);
		if (module instanceof Cancelable c && c.isCanceled()) {
			System.out.println("CANCELLED " + c.getCancelReason());
			System.exit(3);
		}
		// ImagePlus outputs are shown, as Fiji's display postprocessor does; each is captured before the next
		// window opens on top of it
		final List<ImagePlus> shown = new ArrayList<>();
		for (final ModuleItem<?> o : info.outputs())
			if (o.getValue(module) instanceof ImagePlus r) shown.add(r);
		for (final ImagePlus r : shown) {
			r.show();
			waitFor("window " + r.getTitle(), () -> r.getWindow() != null && r.getWindow().isShowing());
			Awt.waitUntilReady(robot, r.getWindow(), r.getCanvas(), 30);
			final Calibration rc = r.getCalibration();
			System.out.printf(Locale.ROOT, "RESULT title=%s size=%dx%d bitdepth=%d pixel_width=%s pixel_height=%s unit=%s " +
				"window=%s info=%b%n", r.getTitle(), r.getWidth(), r.getHeight(), r.getBitDepth(), rc.pixelWidth, rc.pixelHeight,
				rc.getUnit(), r.getWindow().getTitle(), r.getInfoProperty() != null && r.getInfoProperty().contains("model_sha256"));
			final String file = r.getTitle().endsWith("-fidelity") ? "fidelity-window.png" : "result-window.png";
			shoot(robot, r.getWindow().getBounds(), out.resolve(file));
		}
		shoot(robot, new Rectangle(Toolkit.getDefaultToolkit().getScreenSize()), out.resolve("screen.png"));
		System.out.println("DONE");
		System.out.flush();
		System.exit(0);
	}

	/** The person at the screen: waits for the dialog, fills it as a user would, screenshots it, clicks OK. */
	private static void person(final ParameterDialog pd, final String model, final Robot robot, final Path out) {
		try {
			final GenericDialog gd = pd.dialog();
			waitFor("the dialog", gd::isShowing);
			Awt.waitUntilReady(robot, gd, gd.getButtons()[0], 30);
			final Rectangle screen = new Rectangle(Toolkit.getDefaultToolkit().getScreenSize());
			final Rectangle b = gd.getBounds();
			System.out.printf(Locale.ROOT, "DIALOG title=%s bounds=%d,%d,%dx%d screen=%dx%d on_screen=%b%n", gd.getTitle(),
				b.x, b.y, b.width, b.height, screen.width, screen.height, screen.contains(b));
			for (final Component c : components(gd)) {
				if (c instanceof Label l && !l.getText().isBlank()) System.out.println("FIELD " + l.getText().trim() +
					" visible=" + inside(c, gd));
				if (c instanceof Checkbox box) System.out.println("CHECKBOX " + box.getLabel().trim() + " visible=" +
					inside(c, gd));
				if (c instanceof Button btn) System.out.println("BUTTON " + btn.getLabel() + " enabled=" + btn.isEnabled() +
					" visible=" + inside(c, gd));
			}
			// what a person does: choose the model from the list, pick the CPU, tick the fidelity map
			final Choice modelChoice = choiceField(pd, "model");
			final List<String> offered = new ArrayList<>();
			for (int i = 0; i < modelChoice.getItemCount(); i++)
				offered.add(modelChoice.getItem(i));
			System.out.println("MODEL_CHOICES " + offered);
			final Choice promptChoice = choiceField(pd, "prompt");
			final List<String> prompts = new ArrayList<>();
			for (int i = 0; i < promptChoice.getItemCount(); i++)
				prompts.add(promptChoice.getItem(i));
			System.out.println("PROMPT_CHOICES " + prompts);
			EventQueue.invokeAndWait(() -> modelChoice.select(model));
			final Choice device = choiceField(pd, "device");
			EventQueue.invokeAndWait(() -> device.select("cpu"));
			final Checkbox fidelity = checkboxField(pd, "fidelity_map");
			click(robot, fidelity);
			waitFor("the fidelity box ticked", fidelity::getState);
			Awt.settle(robot);
			shoot(robot, gd.getBounds(), out.resolve("dialog.png"));
			final Button ok = gd.getButtons()[0];
			System.out.println("CLICK " + ok.getLabel());
			click(robot, ok);
		}
		catch (final Exception e) {
			System.out.println("PERSON failed: " + e);
			System.exit(5);
		}
	}

	private static Choice choiceField(final ParameterDialog pd, final String name) {
		// the image choice comes first among the dialog's choices
		return (Choice) pd.dialog().getChoices().get(indexAmong(pd, name, i -> i.getType() == ImagePlus.class ||
			(i.getChoices() != null && !i.getChoices().isEmpty())));
	}

	private static Checkbox checkboxField(final ParameterDialog pd, final String name) {
		return (Checkbox) pd.dialog().getCheckboxes().get(indexAmong(pd, name, i -> i.getType() == boolean.class ||
			i.getType() == Boolean.class));
	}

	private static int indexAmong(final ParameterDialog pd, final String name,
		final java.util.function.Predicate<ModuleItem<?>> kind)
	{
		int k = 0;
		for (final ModuleItem<?> i : pd.asked()) {
			if (!kind.test(i)) continue;
			if (i.getName().equals(name)) return k;
			k++;
		}
		throw new IllegalStateException("no field for " + name);
	}

	private static void click(final Robot robot, final Component c) {
		Awt.click(robot, c);
	}

	private static boolean inside(final Component c, final Window w) {
		if (!c.isShowing()) return false;
		final Point p = c.getLocationOnScreen(), q = w.getLocationOnScreen();
		return new Rectangle(q.x, q.y, w.getWidth(), w.getHeight()).contains(new Rectangle(p.x, p.y, c.getWidth(),
			c.getHeight()));
	}

	private static List<Component> components(final Container c) {
		return Awt.components(c);
	}

	private static void shoot(final Robot robot, final Rectangle r, final Path file) throws Exception {
		Awt.shoot(robot, r, file);
	}

	private static void waitFor(final String what, final BooleanSupplier condition) throws InterruptedException {
		Awt.waitFor(what, 30, condition);
	}

	private static void watchdog(final int seconds) {
		Awt.watchdog(seconds, () -> "windows: " + java.util.Arrays.toString(WindowManager.getImageTitles()));
	}
}
