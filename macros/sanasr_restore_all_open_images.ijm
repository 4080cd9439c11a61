// SANA-SR: restore every open image, one after the other. Results stay open (and are saved as TIFF when
// the argument gives output=/some/folder). Images opened or made by this macro are not restored again.
// Optional argument: model= scale= tile= device= precision= prompt= fidelity_map=true|false consistency=true|false output=[/folder]
// prompt=: Realism prompts (photo, realistic, if the model marks them so): textures invented by the network, not measured (see the fidelity map's invented-detail channels); scientific prompts and default keep fidelity.

args = getArgument();
model = call("ij.Macro.getValue", args, "model", "sana-sr-compact-x4");
scale = call("ij.Macro.getValue", args, "scale", "4");
tile = call("ij.Macro.getValue", args, "tile", "auto");
device = call("ij.Macro.getValue", args, "device", "auto");
precision = call("ij.Macro.getValue", args, "precision", "auto");
prompt = call("ij.Macro.getValue", args, "prompt", "default");
fidelity = call("ij.Macro.getValue", args, "fidelity_map", "false");
consistency = call("ij.Macro.getValue", args, "consistency", "false");
output = call("ij.Macro.getValue", args, "output", "");

n = nImages;
if (n == 0) exit("SANA-SR: no open images.");
// remember the inputs by ID first: the list of open images grows as results appear
ids = newArray(n);
for (i = 1; i <= n; i++) {
	selectImage(i);
	ids[i - 1] = getImageID();
}
if (output != "") File.makeDirectory(output);
suffix = "-SANA-SR-x" + scale;
for (i = 0; i < n; i++) {
	selectImage(ids[i]);
	input = getTitle();
	before = nImages;
	run("Super-resolve (SANA-SR)", "model=[" + model + "] scale=" + scale + " tile=" + tile + " device=" + device +
		" precision=" + precision + " prompt=" + prompt + " fidelity_map=" + fidelity + " consistency=" + consistency);
	for (j = before + 1; j <= nImages; j++) {
		selectImage(j);
		if (endsWith(getTitle(), suffix)) break;
	}
	if (!endsWith(getTitle(), suffix)) exit("SANA-SR: no result for " + input);
	if (output != "") saveAs("Tiff", output + File.separator + getTitle() + ".tif");
	print("SANA-SR: " + input + " -> " + getTitle() + " (" + getWidth() + "x" + getHeight() + ")");
}
