package io.github.sanasr.gui;

import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;

import java.util.ArrayList;
import java.util.List;

import org.scijava.Context;
import org.scijava.ItemIO;
import org.scijava.ItemVisibility;
import org.scijava.module.Module;
import org.scijava.module.ModuleInfo;
import org.scijava.module.ModuleItem;
import org.scijava.service.Service;

/**
 * TEST-ONLY: the dialog an ImageJ 1.x user would get for a SciJava command without imagej-legacy's Swing
 * harvester (not obtainable here): an {@code ij.gui.GenericDialog} with one field per {@code @Parameter} input,
 * in declaration order, labelled by the parameter's label: the image as a choice of the open images, choices as
 * choice lists, booleans as check boxes, numbers as numeric fields, text as text fields. Services and outputs
 * are not asked for.
 */
public final class ParameterDialog {

	private final ModuleInfo info;
	private final GenericDialog dialog;
	private final List<ModuleItem<?>> asked = new ArrayList<>();

	public ParameterDialog(final ModuleInfo info, final String title) {
		this(info, null, title);
	}

	/**
	 * The dialog for {@code module} (its info, as its initialisers left it: a DynamicCommand's choice lists), each
	 * field showing the module's current value, as Fiji's harvester does.
	 */
	public ParameterDialog(final Module module, final String title) {
		this(module.getInfo(), module, title);
	}

	private ParameterDialog(final ModuleInfo info, final Module module, final String title) {
		this.info = info;
		dialog = new GenericDialog(title);
		for (final ModuleItem<?> item : info.inputs()) {
			if (!asks(item)) continue;
			asked.add(item);
			final Object current = module == null ? null : item.getValue(module);
			add(item, current != null ? current : item.getDefaultValue());
		}
	}

	public GenericDialog dialog() {
		return dialog;
	}

	/** The inputs that got a field, in dialog order. */
	public List<ModuleItem<?>> asked() {
		return asked;
	}

	static boolean asks(final ModuleItem<?> item) {
		final Class<?> t = item.getType();
		if (Service.class.isAssignableFrom(t) || t == Context.class) return false;
		if (item.getIOType() == ItemIO.OUTPUT || item.getVisibility() == ItemVisibility.MESSAGE) return false;
		return true;
	}

	private void add(final ModuleItem<?> item, final Object def) {
		final Class<?> t = item.getType();
		final String label = item.getLabel() == null || item.getLabel().isBlank() ? item.getName() : item.getLabel();
		if (t == ImagePlus.class) {
			final ImagePlus active = WindowManager.getCurrentImage();
			dialog.addImageChoice(label, active == null ? null : active.getTitle());
		}
		else if (t == boolean.class || t == Boolean.class) dialog.addCheckbox(label, Boolean.TRUE.equals(def));
		else if (item.getChoices() != null && !item.getChoices().isEmpty()) {
			final String[] choices = item.getChoices().stream().map(String::valueOf).toArray(String[]::new);
			dialog.addChoice(label, choices, def == null ? choices[0] : def.toString());
		}
		else if (t == int.class || t == Integer.class || t == long.class || t == Long.class) dialog.addNumericField(
			label, def == null ? 0 : ((Number) def).doubleValue(), 0);
		else if (t == double.class || t == Double.class || t == float.class || t == Float.class) dialog.addNumericField(
			label, def == null ? 0 : ((Number) def).doubleValue(), 2);
		else dialog.addStringField(label, def == null ? "" : def.toString(), 28);
	}

	/** Shows the dialog (modal); on OK fills the module's inputs from the fields and returns true. */
	public boolean show(final Module module) {
		dialog.showDialog();
		if (dialog.wasCanceled()) return false;
		for (final ModuleItem<?> item : asked) {
			final Class<?> t = item.getType();
			final Object v;
			if (t == ImagePlus.class) v = dialog.getNextImage();
			else if (t == boolean.class || t == Boolean.class) v = dialog.getNextBoolean();
			else if (item.getChoices() != null && !item.getChoices().isEmpty()) v = dialog.getNextChoice();
			else if (t == int.class || t == Integer.class) v = (int) Math.round(dialog.getNextNumber());
			else if (t == long.class || t == Long.class) v = Math.round(dialog.getNextNumber());
			else if (t == double.class || t == Double.class) v = dialog.getNextNumber();
			else if (t == float.class || t == Float.class) v = (float) dialog.getNextNumber();
			else v = dialog.getNextString();
			module.setInput(item.getName(), v);
			module.resolveInput(item.getName());
		}
		return true;
	}

	public ModuleInfo info() {
		return info;
	}
}
