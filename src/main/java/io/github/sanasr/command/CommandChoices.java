package io.github.sanasr.command;

import java.io.File;
import java.util.List;

import org.scijava.command.DynamicCommand;
import org.scijava.module.ModuleService;
import org.scijava.module.MutableModuleItem;
import org.scijava.ui.UIService;
import org.scijava.widget.FileWidget;

/**
 * The choice lists of the SciJava commands' dialogs (Fiji), from {@link ModelChoices}: filled when a command is
 * initialised, the prompts again whenever the model changes. They are offers for the dialog only: a macro or the
 * command line may still give any model name or folder (SciJava checks no value against its choices), which the
 * core validates.
 */
final class CommandChoices {

	private CommandChoices() {}

	/**
	 * Offers the models, with {@code model} and the one remembered from the last dialog if they are not among
	 * them (a folder picked then: Fiji's dialog would otherwise silently show the first model instead).
	 */
	static void offerModels(final DynamicCommand command, final String model) {
		final MutableModuleItem<String> models = command.getInfo().getMutableInput(CommandParameters.MODEL, String.class);
		if (models != null) models.setChoices(ModelChoices.including(ModelChoices.including(ModelChoices.models(), model),
			remembered(command)));
	}

	/**
	 * The model the dialog will show: the one remembered from the last dialog (SciJava loads it after the
	 * initialisers may have run) unless a macro or script gave one, else {@code model}.
	 */
	static String shown(final DynamicCommand command, final String model) {
		final String r = remembered(command);
		return r != null && !r.isBlank() ? r : model;
	}

	private static String remembered(final DynamicCommand command) {
		try {
			if (command.isInputResolved(CommandParameters.MODEL)) return null;
			return command.context().service(ModuleService.class).load(command.getInfo().getMutableInput(
				CommandParameters.MODEL, String.class));
		}
		catch (final RuntimeException e) {
			return null; // no context or no preferences: nothing remembered
		}
	}

	/** Offers {@code model}'s prompts; returns them. */
	static List<String> offerPrompts(final DynamicCommand command, final String model) {
		final List<String> prompts = ModelChoices.prompts(model);
		final MutableModuleItem<String> item = command.getInfo().getMutableInput(CommandParameters.PROMPT, String.class);
		if (item != null) item.setChoices(prompts);
		return prompts;
	}

	/**
	 * The model to keep after the person chose {@code chosen}: a folder picked with the UI's chooser when it is
	 * {@link ModelChoices#OTHER_FOLDER} (added to the choices), else {@code chosen}; {@code previous} when no
	 * folder is picked.
	 */
	static String resolveChoice(final DynamicCommand command, final UIService ui, final String chosen,
		final String previous)
	{
		if (!ModelChoices.OTHER_FOLDER.equals(chosen)) return chosen;
		final File dir = ui == null ? null : ui.chooseFile("Model folder (with model.json)", null,
			FileWidget.DIRECTORY_STYLE);
		final String model = dir == null ? previous : dir.getPath();
		final MutableModuleItem<String> models = command.getInfo().getMutableInput(CommandParameters.MODEL, String.class);
		if (models != null) models.setChoices(ModelChoices.including(models.getChoices(), model));
		return model;
	}
}
