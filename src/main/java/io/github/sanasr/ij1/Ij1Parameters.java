package io.github.sanasr.ij1;

import ij.Macro;
import ij.gui.GenericDialog;
import ij.io.DirectoryChooser;
import ij.plugin.frame.Recorder;
import io.github.sanasr.command.CommandParameters;
import io.github.sanasr.command.CommandParameters.Kind;
import io.github.sanasr.command.CommandParameters.Spec;
import io.github.sanasr.command.ModelChoices;

import java.awt.Checkbox;
import java.awt.Choice;
import java.awt.TextField;
import java.awt.event.ItemEvent;
import java.awt.event.ItemListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Vector;

/**
 * The values of one command's parameters ({@link CommandParameters#SINGLE} or {@link CommandParameters#FOLDER})
 * in ImageJ 1.x: from the macro options when a macro runs the command, else from a {@link GenericDialog}. Keys
 * are the parameter names, the same as the SciJava command's; booleans are read as {@code key=true|false} (as
 * Fiji records them) or as a bare {@code key} (as ImageJ 1.x records a ticked checkbox), and are recorded as
 * {@code key=true|false}, so a recorded line runs in both hosts.
 */
final class Ij1Parameters {

	private final List<Spec> specs;
	private final Map<String, String> values = new LinkedHashMap<>();

	private Ij1Parameters(final List<Spec> specs) {
		this.specs = specs;
	}

	/** From a macro's options: every key must be known; missing keys keep their defaults. */
	static Ij1Parameters fromMacro(final String command, final List<Spec> specs, final String options) {
		final Ij1Parameters p = new Ij1Parameters(specs);
		final Map<String, String> given = MacroOptions.parse(options);
		for (final String key : given.keySet()) {
			if (specs.stream().noneMatch(s -> s.name().equals(key))) throw new IllegalArgumentException("Unknown option '" +
				key + "' for " + command + "; the options are: " + String.join(", ", names(specs)));
		}
		for (final Spec s : specs) {
			if (!given.containsKey(s.name())) p.values.put(s.name(), String.valueOf(defaultText(s)));
			else {
				final String v = given.get(s.name());
				if (s.kind() == Kind.BOOLEAN) p.values.put(s.name(), v == null ? "true" : v);
				else if (v == null) throw new IllegalArgumentException("Option '" + s.name() + "' needs a value: " +
					s.name() + "=...");
				else p.values.put(s.name(), v);
			}
		}
		return p;
	}

	/** Shows the dialog; null when the person cancels. */
	static Ij1Parameters fromDialog(final String command, final List<Spec> specs, final String note) {
		final GenericDialog gd = new GenericDialog(command);
		if (note != null) gd.addMessage(note);
		Choice models = null, prompts = null;
		for (final Spec s : specs) {
			switch (s.kind()) {
				case STRING -> gd.addStringField(s.label(), defaultText(s), 25);
				case DIRECTORY -> gd.addDirectoryField(s.label(), defaultText(s), 30);
				case INT -> {
					if (s.choices().isEmpty()) gd.addNumericField(s.label(), ((Number) s.defaultValue()).doubleValue(), 0);
					else gd.addChoice(s.label(), s.choices().toArray(new String[0]), defaultText(s));
				}
				case DOUBLE -> gd.addNumericField(s.label(), ((Number) s.defaultValue()).doubleValue(), 2);
				case BOOLEAN -> gd.addCheckbox(s.label(), (Boolean) s.defaultValue());
				case CHOICE -> gd.addChoice(s.label(), s.choices().toArray(new String[0]), defaultText(s));
				case MODEL -> gd.addChoice(s.label(), ModelChoices.models().toArray(new String[0]), defaultText(s));
				case PROMPT -> gd.addChoice(s.label(), ModelChoices.prompts(models == null ? CommandParameters.DEFAULT_MODEL
					: models.getSelectedItem()).toArray(new String[0]), defaultText(s));
			}
			if (s.kind() == Kind.MODEL) models = lastChoice(gd);
			if (s.kind() == Kind.PROMPT) {
				prompts = lastChoice(gd);
				// GenericDialog has no tooltips: say it under the choice, on two lines to keep the dialog narrow
				gd.addMessage(CommandParameters.REALISM_NOTE.replace("; ", ";\n"));
			}
		}
		if (models != null) models.addItemListener(new ModelListener(models, prompts));
		gd.showDialog();
		if (gd.wasCanceled()) return null;
		// read the fields themselves (not getNext*), so that the recording below is the only one
		final Vector<?> strings = gd.getStringFields(), numbers = gd.getNumericFields(), boxes = gd.getCheckboxes(),
			choices = gd.getChoices();
		int si = 0, ni = 0, bi = 0, ci = 0;
		final Ij1Parameters p = new Ij1Parameters(specs);
		for (final Spec s : specs) {
			final String v = switch (s.kind()) {
				case STRING, DIRECTORY -> ((TextField) strings.get(si++)).getText().trim();
				case INT -> s.choices().isEmpty() ? ((TextField) numbers.get(ni++)).getText().trim()
					: ((Choice) choices.get(ci++)).getSelectedItem();
				case DOUBLE -> ((TextField) numbers.get(ni++)).getText().trim();
				case BOOLEAN -> Boolean.toString(((Checkbox) boxes.get(bi++)).getState());
				case CHOICE, MODEL, PROMPT -> ((Choice) choices.get(ci++)).getSelectedItem();
			};
			p.values.put(s.name(), v);
		}
		if (ModelChoices.OTHER_FOLDER.equals(p.values.get(CommandParameters.MODEL))) {
			throw new IllegalArgumentException("No model folder was picked: choose a model, or pick its folder again.");
		}
		return p;
	}

	private static Choice lastChoice(final GenericDialog gd) {
		final Vector<?> choices = gd.getChoices();
		return (Choice) choices.get(choices.size() - 1);
	}

	/**
	 * Keeps the prompt list that of the chosen model, and turns "Other model folder..." into a folder picked
	 * with ImageJ's folder chooser (its path becomes a choice of its own, so the recorded line names it).
	 */
	private static final class ModelListener implements ItemListener {

		private final Choice models, prompts;
		private String last;

		ModelListener(final Choice models, final Choice prompts) {
			this.models = models;
			this.prompts = prompts;
			last = models.getSelectedItem();
		}

		@Override
		public void itemStateChanged(final ItemEvent e) {
			String model = models.getSelectedItem();
			if (ModelChoices.OTHER_FOLDER.equals(model)) {
				final String dir = new DirectoryChooser("Model folder (with model.json)").getDirectory();
				if (dir == null) model = last;
				else {
					model = dir.endsWith("/") || dir.endsWith("\\") ? dir.substring(0, dir.length() - 1) : dir;
					boolean known = false;
					for (int i = 0; i < models.getItemCount(); i++)
						known |= models.getItem(i).equals(model);
					if (!known) models.insert(model, models.getItemCount() - 1);
				}
				models.select(model);
			}
			last = model;
			if (prompts == null) return;
			final String before = prompts.getSelectedItem();
			prompts.removeAll();
			final List<String> offered = ModelChoices.prompts(model);
			for (final String p : offered)
				prompts.add(p);
			prompts.select(offered.contains(before) ? before : CommandParameters.DEFAULT_PROMPT);
		}
	}

	/** Values as a macro would give them, in order: for the recorder and the log. */
	String asMacroOptions() {
		final StringBuilder b = new StringBuilder();
		for (final Spec s : specs) {
			if (b.length() > 0) b.append(' ');
			b.append(s.name()).append('=').append(quoted(canonical(s)));
		}
		return b.toString();
	}

	/** Records the values as {@code key=value} for the command being recorded, if any. */
	void record(final String command) {
		if (!Recorder.record || !command.equals(Recorder.getCommand())) return;
		for (final Spec s : specs)
			Recorder.recordOption(s.name(), canonical(s));
	}

	String string(final String name) {
		return values.get(name);
	}

	int integer(final String name) {
		final String v = values.get(name);
		try {
			final double d = Double.parseDouble(v);
			if (d != Math.rint(d)) throw new NumberFormatException();
			return (int) d;
		}
		catch (final NumberFormatException e) {
			throw new IllegalArgumentException(name + " must be a whole number, not '" + v + "'");
		}
	}

	double number(final String name) {
		final String v = values.get(name);
		try {
			return Double.parseDouble(v);
		}
		catch (final NumberFormatException e) {
			throw new IllegalArgumentException(name + " must be a number, not '" + v + "'");
		}
	}

	boolean bool(final String name) {
		final String v = values.get(name).trim().toLowerCase(Locale.ROOT);
		if (v.equals("true")) return true;
		if (v.equals("false")) return false;
		throw new IllegalArgumentException(name + " must be true or false, not '" + values.get(name) + "'");
	}

	String choice(final String name) {
		final String v = values.get(name).trim().toLowerCase(Locale.ROOT);
		final Spec s = specs.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow();
		if (!s.choices().contains(v)) throw new IllegalArgumentException(name + " must be one of " +
			String.join(", ", s.choices()) + ", not '" + values.get(name) + "'");
		return v;
	}

	private String canonical(final Spec s) {
		final String v = values.get(s.name());
		switch (s.kind()) {
			case INT:
				return Integer.toString(integer(s.name()));
			case DOUBLE: {
				final double d = number(s.name());
				return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
			}
			case BOOLEAN:
				return Boolean.toString(bool(s.name()));
			default:
				return v;
		}
	}

	private static String quoted(final String v) {
		return v.isEmpty() || v.contains(" ") ? "[" + v + "]" : v;
	}

	private static String defaultText(final Spec s) {
		return String.valueOf(s.defaultValue());
	}

	private static List<String> names(final List<Spec> specs) {
		return specs.stream().map(Spec::name).toList();
	}

	/** The current macro's options for this command, or null when no macro runs it. */
	static String macroOptions() {
		return Macro.getOptions();
	}
}
