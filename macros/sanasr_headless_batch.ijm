// SANA-SR headless batch: restore a folder on a machine without a display (cluster node, overnight job).
// Runs the folder command, which skips finished files (so a killed job resumes), writes each result under a
// temporary name first, a <name>.sanasr.json provenance sidecar per result and sanasr-summary.csv.
//
// Fiji, exact command line (Linux; on macOS use Contents/MacOS/ImageJ-macosx, on Windows ImageJ-win64.exe;
// the newer launcher is called fiji-linux-x64 and takes the same arguments):
//   /path/to/Fiji.app/ImageJ-linux64 --headless --console -batch /path/to/sanasr_headless_batch.ijm "input=[/data/in] output=[/data/out] pattern=[*.tif;*.png] scale=4 tile=auto device=auto prompt=default fidelity_map=true format=tif"
// Without a macro, the same command straight from the launcher (SciJava syntax, strings in single quotes):
//   /path/to/Fiji.app/ImageJ-linux64 --headless --run "Super-resolve folder (SANA-SR)" "input='/data/in',output='/data/out',scale=4,fidelity_map=true"
// Or, from a clone of this repository: ./sana-sr /data/in --output /data/out --fidelity-map
// prompt=: Realism prompts (photo, realistic, if the model marks them so): textures invented by the network, not measured (see the fidelity map's invented-detail channels); scientific prompts and default keep fidelity.

args = getArgument();
input = call("ij.Macro.getValue", args, "input", "");
output = call("ij.Macro.getValue", args, "output", "");
if (input == "" || output == "") exit("SANA-SR: give input=[/folder] output=[/folder] as the macro argument");
pattern = call("ij.Macro.getValue", args, "pattern", "*");
recursive = call("ij.Macro.getValue", args, "recursive", "false");
model = call("ij.Macro.getValue", args, "model", "sana-sr-compact-x4");
scale = call("ij.Macro.getValue", args, "scale", "4");
tile = call("ij.Macro.getValue", args, "tile", "auto");
device = call("ij.Macro.getValue", args, "device", "auto");
precision = call("ij.Macro.getValue", args, "precision", "auto");
prompt = call("ij.Macro.getValue", args, "prompt", "default");
fidelity = call("ij.Macro.getValue", args, "fidelity_map", "false");
consistency = call("ij.Macro.getValue", args, "consistency", "false");
format = call("ij.Macro.getValue", args, "format", "tif");
overwrite = call("ij.Macro.getValue", args, "overwrite", "false");

setBatchMode(true);
run("Super-resolve folder (SANA-SR)", "input=[" + input + "] output=[" + output + "] pattern=[" + pattern +
	"] recursive=" + recursive + " model=[" + model + "] scale=" + scale + " tile=" + tile + " device=" + device +
	" precision=" + precision + " prompt=" + prompt + " fidelity_map=" + fidelity + " consistency=" + consistency +
	" format=" + format + " overwrite=" + overwrite);
summary = output + File.separator + "sanasr-summary.csv";
if (!File.exists(summary)) exit("SANA-SR: the batch did not run (see the log above)");
print(File.openAsString(summary));
