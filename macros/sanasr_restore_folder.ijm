// SANA-SR: restore every image in a folder with the single-image command, one file at a time: a template
// for adding your own steps before or after the restoration. (For plain folder restoration, the command
// Plugins > SANA-SR > Super-resolve folder (SANA-SR) does the same with skip/resume, sidecars and a summary.)
// Asks for the folders, or takes them from the argument: input=[/in] output=[/out] plus model= scale= tile=
// device= precision= prompt= fidelity_map=true|false consistency=true|false. Existing results are skipped,
// so a stopped run resumes.
// prompt=: Realism prompts (photo, realistic, if the model marks them so): textures invented by the network, not measured (see the fidelity map's invented-detail channels); scientific prompts and default keep fidelity.

args = getArgument();
input = call("ij.Macro.getValue", args, "input", "");
output = call("ij.Macro.getValue", args, "output", "");
model = call("ij.Macro.getValue", args, "model", "sana-sr-compact-x4");
scale = call("ij.Macro.getValue", args, "scale", "4");
tile = call("ij.Macro.getValue", args, "tile", "auto");
device = call("ij.Macro.getValue", args, "device", "auto");
precision = call("ij.Macro.getValue", args, "precision", "auto");
prompt = call("ij.Macro.getValue", args, "prompt", "default");
fidelity = call("ij.Macro.getValue", args, "fidelity_map", "false");
consistency = call("ij.Macro.getValue", args, "consistency", "false");
if (input == "") input = getDirectory("Folder with the images to restore");
if (output == "") output = getDirectory("Folder for the results");
if (!endsWith(input, File.separator)) input = input + File.separator;
if (!endsWith(output, File.separator)) output = output + File.separator;
File.makeDirectory(output);

setBatchMode(true);
files = getFileList(input);
restored = 0; skipped = 0; failed = 0;
suffix = "-SANA-SR-x" + scale;
for (i = 0; i < files.length; i++) {
	name = files[i];
	if (endsWith(name, "/") || startsWith(name, ".")) continue;
	lower = toLowerCase(name);
	if (!(endsWith(lower, ".tif") || endsWith(lower, ".tiff") || endsWith(lower, ".png") || endsWith(lower, ".jpg") ||
		endsWith(lower, ".jpeg") || endsWith(lower, ".gif") || endsWith(lower, ".bmp"))) continue;
	base = File.getNameWithoutExtension(name);
	target = output + base + suffix + ".tif";
	if (File.exists(target)) { skipped++; continue; }
	open(input + name);
	if (nImages == 0) { print("SANA-SR: could not open " + name); failed++; continue; }
	before = nImages;
	run("Super-resolve (SANA-SR)", "model=[" + model + "] scale=" + scale + " tile=" + tile + " device=" + device +
		" precision=" + precision + " prompt=" + prompt + " fidelity_map=" + fidelity + " consistency=" + consistency);
	found = false;
	for (j = before + 1; j <= nImages; j++) {
		selectImage(j);
		if (endsWith(getTitle(), suffix)) { found = true; break; }
	}
	if (!found) { print("SANA-SR: no result for " + name); failed++; close("*"); continue; }
	result = getTitle();
	saveAs("Tiff", target); // TIFF keeps calibration and the provenance (Info)
	if (fidelity == "true") {
		selectImage(result + "-fidelity");
		saveAs("Tiff", output + base + suffix + "-fidelity.tif");
	}
	close("*");
	restored++;
}
setBatchMode(false);
print("SANA-SR folder: " + restored + " restored, " + skipped + " skipped (already done), " + failed + " failed");
