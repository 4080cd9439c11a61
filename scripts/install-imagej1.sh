#!/usr/bin/env bash
# Installs SANA-SR into a plain ImageJ 1.x (not Fiji: see the README's "Install into Fiji"):
#   mvn -B -q package -DskipTests && scripts/install-imagej1.sh [PLUGINS_DIR]
# PLUGINS_DIR defaults to ~/.imagej/plugins, the plugins folder of Debian's `imagej` launcher (it runs
# ImageJ with -ijpath ~/.imagej). For all users of a Debian machine: sudo scripts/install-imagej1.sh
# /usr/share/imagej/plugins (the launcher links it into each user's ~/.imagej/plugins). Elsewhere give
# ImageJ.app/plugins. ImageJ 1.x puts jars in its plugins folder and in the folders right inside it on its
# class path, and reads plugins.config from those with a '_' in their name. It writes one such folder,
# PLUGINS_DIR/SANA-SR:
#   SANA-SR_.jar  the plugin with its plugins.config (Plugins > SANA-SR); the name needs the '_' for that
#   *.jar         its runtime jars: DJL, libtorch (CPU), ImgLib2, ... but not ij.jar, which ImageJ ships
#   models/       the shipped models
# An existing PLUGINS_DIR/SANA-SR is replaced as a whole, only once the new one is complete. Nothing is
# written there at run time: DJL unpacks libtorch into DJL_CACHE_DIR (default ~/.djl.ai), so the folder may
# be read-only. Environment: SANASR_BUILD_DIR (default target/ next to scripts/), JAVA_HOME (for `jar`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SANASR_BUILD_DIR:-$here/target}"
case "$build" in /*) ;; *) build="$PWD/$build" ;; esac
target="${1:-$HOME/.imagej/plugins}"
name=SANA-SR

die() { echo "install-imagej1: $*" >&2; exit 2; }

[ $# -le 1 ] || die "usage: scripts/install-imagej1.sh [PLUGINS_DIR]"
if compgen -G "$target/../jars/imagej-legacy-*.jar" >/dev/null; then
  die "$target belongs to Fiji, which would then show every command twice. Install into Fiji with:
  mvn -B -DskipTests -Dscijava.app.directory=$(cd "$target/.." && pwd) install"
fi
jar_tool="jar"
[ -n "${JAVA_HOME:-}" ] && jar_tool="$JAVA_HOME/bin/jar"
command -v "$jar_tool" >/dev/null || die "the JDK's 'jar' tool is missing (install openjdk-17-jdk-headless or set JAVA_HOME)"

# the plugin: the packaged jar if there is one (it carries the version), else the compiled classes
jar=""
if [ "${SANASR_USE_CLASSES:-0}" != 1 ]; then
  for j in "$build"/sana-sr-fiji-*.jar; do
    case "$j" in *-sources.jar|*-tests.jar|*-javadoc.jar) continue ;; esac
    [ -f "$j" ] && jar="$j"
  done
fi
if [ -z "$jar" ] && [ ! -d "$build/classes/io/github/sanasr/ij1" ]; then
  die "nothing built in $build - run: mvn -B package -DskipTests"
fi
[ -d "$build/lib" ] || die "$build/lib is missing - run: mvn -B package -DskipTests"

mkdir -p "$target" 2>/dev/null || die "cannot create $target"
[ -w "$target" ] || die "$target is not writable (for a system-wide install use sudo)"
stage="$(mktemp -d "$target/.$name-install.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/models" "$stage/content"

if [ -n "$jar" ]; then
  (cd "$stage/content" && "$jar_tool" xf "$jar")
else
  cp -R "$build/classes/." "$stage/content/"
fi
# models travel as files next to the jar (ModelRegistry looks there), not inside it
rm -rf "$stage/content/models" "$stage/content/META-INF/MANIFEST.MF"
cp "$here/src/main/ij1/plugins.config" "$stage/content/plugins.config"
"$jar_tool" --create --file "$stage/$name/${name}_.jar" -C "$stage/content" .

runtime=0
for j in "$build"/lib/*.jar; do
  base="$(basename "$j")"
  case "$base" in
    ij-[0-9]*) continue ;;                                  # ImageJ itself
    scijava-common-*|parsington-*) continue ;;              # only the SciJava commands (Fiji) use these
  esac
  # a '_' in a jar name makes ImageJ 1.x look for menu entries in it
  cp "$j" "$stage/$name/${base//_/-}"
  runtime=$((runtime + 1))
done

models=0
for m in "$here"/models/*/; do
  [ -f "$m/model.json" ] || continue
  cp -R "$m" "$stage/$name/models/"
  models=$((models + 1))
done
[ "$models" -gt 0 ] || die "no model in $here/models"

# swap in the complete folder
if [ -e "$target/$name" ]; then mv "$target/$name" "$stage/previous"; fi
mv "$stage/$name" "$target/$name"
echo "Installed $target/$name: ${name}_.jar, $runtime runtime jars, $models model(s)."
echo "Restart ImageJ; the commands are under Plugins > SANA-SR."
