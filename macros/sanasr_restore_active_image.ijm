// SANA-SR: restore the active image (x4 by default) and show the result, and its fidelity map.
// Plugins > Macros > Run..., or from another macro: runMacro("/path/sanasr_restore_active_image.ijm", "scale=4 prompt=fluorescence");
// Optional argument, the same keys as the command: model= scale= tile= device= precision= prompt=
// fidelity_map=true|false consistency=true|false
// prompt=: Realism prompts (photo, realistic, if the model marks them so): textures invented by the network, not measured (see the fidelity map's invented-detail channels); scientific prompts and default keep fidelity.
// Leaves the super-resolved image active; its Info (Image > Show Info) holds the provenance.

args = getArgument();
model = call("ij.Macro.getValue", args, "model", "sana-sr-compact-x4");
scale = call("ij.Macro.getValue", args, "scale", "4");
tile = call("ij.Macro.getValue", args, "tile", "auto");
device = call("ij.Macro.getValue", args, "device", "auto");
precision = call("ij.Macro.getValue", args, "precision", "auto");
prompt = call("ij.Macro.getValue", args, "prompt", "default");
fidelity = call("ij.Macro.getValue", args, "fidelity_map", "true");
consistency = call("ij.Macro.getValue", args, "consistency", "false");

if (nImages == 0) exit("SANA-SR: open an image first.");
input = getTitle();
before = nImages;
// boolean inputs are written key=true|false: that is how Fiji records and reads SciJava commands
run("Super-resolve (SANA-SR)", "model=[" + model + "] scale=" + scale + " tile=" + tile + " device=" + device +
	" precision=" + precision + " prompt=" + prompt + " fidelity_map=" + fidelity + " consistency=" + consistency);

// the command adds the result (and the fidelity map); make the result the active image
suffix = "-SANA-SR-x" + scale;
for (i = before + 1; i <= nImages; i++) {
	selectImage(i);
	if (endsWith(getTitle(), suffix)) break;
}
if (!endsWith(getTitle(), suffix)) exit("SANA-SR: no result for " + input);
print("SANA-SR: " + input + " -> " + getTitle() + " (" + getWidth() + "x" + getHeight() + ")");
