package io.github.sanasr.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The descriptor {@code model.json} of a model folder (docs/model-format.md), read and validated. Every error
 * names the file, so that a user who edits or copies a model sees which one is wrong. Unknown keys are kept
 * in {@link #json()} and otherwise ignored.
 */
public final class ModelDescriptor {

	public static final String FORMAT = "sanasr-model/1";
	/** Values of {@code precision}: the number type the network computes in. */
	public static final String FLOAT32 = "float32", BFLOAT16 = "bfloat16";
	/**
	 * Values of {@code prompt_modes}: a fidelity prompt keeps the output tied to what was measured; a realism
	 * prompt lets the network add texture that the input does not hold (invented, not measured).
	 */
	public static final String FIDELITY = "fidelity", REALISM = "realism";

	/**
	 * The frozen generative prior the model's realism path was trained against ({@code prior}, informational);
	 * any field may be null when the descriptor leaves it out.
	 */
	public record Prior(String name, String id, String source, String weightsSha256, String licence) {

		/** One line for the provenance: the fields that are there. */
		public String summary() {
			final List<String> parts = new ArrayList<>();
			if (name != null) parts.add(name + (id != null ? " (" + id + ")" : ""));
			else if (id != null) parts.add(id);
			if (source != null) parts.add("source " + source);
			if (weightsSha256 != null) parts.add("weights SHA-256 " + weightsSha256);
			if (licence != null) parts.add("licence " + licence);
			return parts.isEmpty() ? "(not described)" : String.join(", ", parts);
		}
	}

	private final Path descriptorFile;
	private final JsonObject json;
	private final String name;
	private final String version;
	private final String description;
	private final String file;
	private final String sha256;
	private final int scale;
	private final int inputChannels;
	private final int stride;
	private final int halo;
	private final List<String> prompts;
	private final String defaultPrompt;
	private final String degradationType;
	private final long bytesPerOutputPixel;
	private final boolean generative;
	private final String precision;
	private final java.util.Map<String, String> variants;
	private final String variantOf;
	private final java.util.Map<String, String> promptModes;
	private final Prior prior;

	private ModelDescriptor(final Path descriptorFile, final JsonObject json) throws ModelException {
		this.descriptorFile = descriptorFile;
		this.json = json;
		final String format = string("format");
		if (!FORMAT.equals(format)) throw error("has format '" + format + "', this plugin reads '" + FORMAT + "'");
		name = string("name");
		version = string("version");
		description = json.has("description") ? string("description") : "";
		file = string("file");
		if (file.contains("/") || file.contains("\\") || file.equals("..")) throw error(
			"'file' must be a file name inside the model folder, not '" + file + "'");
		sha256 = string("sha256").toLowerCase(Locale.ROOT);
		if (!sha256.matches("[0-9a-f]{64}")) throw error("'sha256' must be 64 hex digits, not '" + sha256 + "'");
		scale = positiveInt("scale");
		inputChannels = positiveInt("input_channels");
		if (inputChannels != 1 && inputChannels != 3) throw error("'input_channels' must be 1 or 3, not " + inputChannels);
		stride = positiveInt("stride");
		halo = integer("halo");
		if (halo < 0) throw error("'halo' must not be negative");
		prompts = promptList();
		defaultPrompt = string("default_prompt");
		if (!prompts.contains(defaultPrompt)) throw error("'default_prompt' '" + defaultPrompt + "' is not in 'prompts' " + prompts);
		degradationType = degradation();
		bytesPerOutputPixel = number("bytes_per_output_pixel").longValue();
		if (bytesPerOutputPixel <= 0) throw error("'bytes_per_output_pixel' must be positive");
		generative = !json.has("generative") || json.get("generative").getAsBoolean();
		precision = json.has("precision") ? string("precision") : FLOAT32;
		if (!precision.equals(FLOAT32) && !precision.equals(BFLOAT16)) throw error("'precision' must be '" + FLOAT32 +
			"' or '" + BFLOAT16 + "', not '" + precision + "'");
		variants = variantMap();
		variantOf = json.has("variant_of") ? string("variant_of") : null;
		promptModes = promptModeMap();
		prior = priorOf(json.get("prior"));
	}

	/** Reads {@code model.json} (or any descriptor file). */
	public static ModelDescriptor read(final Path descriptorFile) throws ModelException {
		if (!Files.isRegularFile(descriptorFile)) throw new ModelException("Model descriptor not found: " + descriptorFile);
		try (Reader r = Files.newBufferedReader(descriptorFile, StandardCharsets.UTF_8)) {
			final JsonElement root = JsonParser.parseReader(r);
			if (!root.isJsonObject()) throw new ModelException("Model descriptor " + descriptorFile + " is not a JSON object");
			return new ModelDescriptor(descriptorFile.toAbsolutePath().normalize(), root.getAsJsonObject());
		}
		catch (final JsonParseException | IllegalStateException e) {
			throw new ModelException("Model descriptor " + descriptorFile + " is not valid JSON: " + e.getMessage(), e);
		}
		catch (final IOException e) {
			throw new ModelException("Cannot read model descriptor " + descriptorFile + ": " + e.getMessage(), e);
		}
	}

	public Path descriptorFile() { return descriptorFile; }
	public Path folder() { return descriptorFile.getParent(); }
	/** The TorchScript file, resolved inside the model folder. */
	public Path modelFile() { return folder().resolve(file); }
	public JsonObject json() { return json.deepCopy(); }
	public String name() { return name; }
	public String version() { return version; }
	public String description() { return description; }
	public String fileName() { return file; }
	public String sha256() { return sha256; }
	public int scale() { return scale; }
	public int inputChannels() { return inputChannels; }
	public int stride() { return stride; }
	public int halo() { return halo; }
	public List<String> prompts() { return prompts; }
	public String defaultPrompt() { return defaultPrompt; }
	/** e.g. "area": how the output is degraded back to the input grid for the fidelity map. */
	public String degradationType() { return degradationType; }
	public long bytesPerOutputPixel() { return bytesPerOutputPixel; }
	public boolean generative() { return generative; }
	/** {@link #FLOAT32} (also when the key is absent) or {@link #BFLOAT16}. */
	public String precision() { return precision; }
	/** The same weights in another precision: precision -> model name (a sibling folder or a registry name). */
	public java.util.Map<String, String> variants() { return variants; }
	/** For a variant: the name of the model it was made from; null otherwise. */
	public String variantOf() { return variantOf; }

	/**
	 * Every prompt's mode, in the order of {@link #prompts()}: {@link #FIDELITY} or {@link #REALISM}. A descriptor
	 * without {@code prompt_modes} (all models before it) has only fidelity prompts, and so does a prompt it
	 * leaves out.
	 */
	public java.util.Map<String, String> promptModes() { return promptModes; }

	/** The mode of a prompt (null or blank: the default prompt); an unknown prompt is an error listing the known. */
	public String promptMode(final String prompt) throws ModelException {
		return promptModes.get(prompts.get(promptIndex(prompt)));
	}

	/** Whether the prompt asks for realistic textures, i.e. detail invented by the network. */
	public boolean isRealism(final String prompt) throws ModelException {
		return REALISM.equals(promptMode(prompt));
	}

	/** The frozen generative prior the model was trained against, when the descriptor names one. */
	public java.util.Optional<Prior> prior() { return java.util.Optional.ofNullable(prior); }

	/** The model file exists and matches the descriptor's SHA-256; else an error that says what to do. */
	public void verifyFile() throws ModelException {
		final Path file = modelFile();
		if (!Files.isRegularFile(file)) throw new ModelException("Model file " + file + " named by " + descriptorFile +
			" is missing");
		final String actual = SrModel.sha256(file);
		if (!actual.equals(sha256)) throw new ModelException("Checksum mismatch: " + file + " has SHA-256 " + actual +
			" but " + descriptorFile + " says " + sha256 + ". The file is damaged or belongs to another descriptor; " +
			"reinstall the model.");
	}

	/** Index of a prompt (null or blank: the default prompt); an unknown prompt is an error listing the known. */
	public int promptIndex(final String prompt) throws ModelException {
		final String p = prompt == null || prompt.isBlank() ? defaultPrompt : prompt.trim().toLowerCase(Locale.ROOT);
		final int i = prompts.indexOf(p);
		if (i < 0) throw new ModelException("Model " + name + " knows the prompts " + prompts + ", not '" + prompt + "'");
		return i;
	}

	@Override
	public String toString() {
		return name + " " + version + " (" + descriptorFile + ")";
	}

	private ModelException error(final String what) {
		return new ModelException("Model descriptor " + descriptorFile + ": " + what);
	}

	private JsonElement required(final String key) throws ModelException {
		final JsonElement e = json.get(key);
		if (e == null || e.isJsonNull()) throw error("required key '" + key + "' is missing");
		return e;
	}

	private String string(final String key) throws ModelException {
		final JsonElement e = required(key);
		if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) throw error("'" + key + "' must be a string");
		return e.getAsString();
	}

	private Number number(final String key) throws ModelException {
		final JsonElement e = required(key);
		if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) throw error("'" + key + "' must be a number");
		return e.getAsNumber();
	}

	private int integer(final String key) throws ModelException {
		final double d = number(key).doubleValue();
		if (d != Math.rint(d) || Math.abs(d) > 1 << 20) throw error("'" + key + "' must be a whole number, not " + d);
		return (int) d;
	}

	private int positiveInt(final String key) throws ModelException {
		final int v = integer(key);
		if (v <= 0) throw error("'" + key + "' must be positive, not " + v);
		return v;
	}

	private List<String> promptList() throws ModelException {
		final JsonElement e = required("prompts");
		if (!e.isJsonArray() || e.getAsJsonArray().size() == 0) throw error("'prompts' must be a non-empty list");
		final List<String> list = new ArrayList<>();
		for (final JsonElement p : (JsonArray) e) {
			if (!p.isJsonPrimitive() || !p.getAsJsonPrimitive().isString()) throw error("'prompts' must hold strings");
			list.add(p.getAsString().toLowerCase(Locale.ROOT));
		}
		return Collections.unmodifiableList(list);
	}

	private java.util.Map<String, String> variantMap() throws ModelException {
		final JsonElement e = json.get("variants");
		if (e == null || e.isJsonNull()) return java.util.Map.of();
		if (!e.isJsonObject()) throw error("'variants' must be an object {precision: model name}");
		final java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
		for (final java.util.Map.Entry<String, JsonElement> v : e.getAsJsonObject().entrySet()) {
			if (!v.getKey().equals(FLOAT32) && !v.getKey().equals(BFLOAT16)) throw error("'variants' key '" + v.getKey() +
				"' is not a precision (" + FLOAT32 + ", " + BFLOAT16 + ")");
			if (!v.getValue().isJsonPrimitive() || !v.getValue().getAsJsonPrimitive().isString()) throw error(
				"'variants' must map a precision to a model name");
			m.put(v.getKey(), v.getValue().getAsString());
		}
		return Collections.unmodifiableMap(m);
	}

	private java.util.Map<String, String> promptModeMap() throws ModelException {
		final java.util.Map<String, String> m = new java.util.LinkedHashMap<>();
		for (final String p : prompts)
			m.put(p, FIDELITY);
		final JsonElement e = json.get("prompt_modes");
		if (e == null || e.isJsonNull()) return Collections.unmodifiableMap(m);
		if (!e.isJsonObject()) throw error("'prompt_modes' must be an object {\"<prompt>\": \"" + FIDELITY + "\" or \"" +
			REALISM + "\"}; remove it to make every prompt " + FIDELITY);
		for (final java.util.Map.Entry<String, JsonElement> v : e.getAsJsonObject().entrySet()) {
			final String prompt = v.getKey().toLowerCase(Locale.ROOT);
			if (!prompts.contains(prompt)) throw error("'prompt_modes' names the prompt '" + v.getKey() +
				"', which is not in 'prompts' " + prompts + ": add it to 'prompts' or remove it from 'prompt_modes'");
			final JsonElement mode = v.getValue();
			final String value = mode.isJsonPrimitive() && mode.getAsJsonPrimitive().isString() ? mode.getAsString() : null;
			if (!FIDELITY.equals(value) && !REALISM.equals(value)) throw error("'prompt_modes' gives the prompt '" +
				v.getKey() + "' the mode " + mode + ": use \"" + FIDELITY + "\" or \"" + REALISM + "\"");
			m.put(prompt, value);
		}
		return Collections.unmodifiableMap(m);
	}

	/** Lenient: the prior is information only, so anything but an object is taken as absent. */
	private static Prior priorOf(final JsonElement e) {
		if (e == null || !e.isJsonObject()) return null;
		final JsonObject o = e.getAsJsonObject();
		return new Prior(text(o, "name"), text(o, "id"), text(o, "source"), text(o, "weights_sha256"), text(o, "licence"));
	}

	private static String text(final JsonObject o, final String key) {
		final JsonElement e = o.get(key);
		return e != null && e.isJsonPrimitive() && !e.getAsString().isBlank() ? e.getAsString() : null;
	}

	private String degradation() throws ModelException {
		final JsonElement e = json.get("degradation");
		if (e == null || e.isJsonNull()) return "area";
		if (e.isJsonPrimitive()) return e.getAsString();
		if (e.isJsonObject() && e.getAsJsonObject().has("type")) return e.getAsJsonObject().get("type").getAsString();
		throw error("'degradation' must be an object with a 'type'");
	}
}
