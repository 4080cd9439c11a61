package io.github.sanasr.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * What the CPU can do that decides the network's precision: whether it computes bfloat16 in hardware
 * (AVX-512 BF16 or AMX). Without either, libtorch emulates bfloat16 and a bfloat16 model runs slower than the
 * float32 one. An interface, so that tests (and the core) can be handed a CPU without the feature.
 */
@FunctionalInterface
public interface CpuFeatures {

	/** True when the CPU has AVX-512 BF16 or AMX-BF16 instructions. */
	boolean fastBfloat16();

	/** For logs and provenance. */
	default String describe() {
		return fastBfloat16() ? "AVX-512 BF16 or AMX" : "no AVX-512 BF16 or AMX";
	}

	/** A CPU with (true) or without (false) fast bfloat16, whatever this machine has. */
	static CpuFeatures fixed(final boolean fastBfloat16) {
		return () -> fastBfloat16;
	}

	/** This machine's CPU: the Linux flags in /proc/cpuinfo, read once; false where there is no such file. */
	static CpuFeatures detect() {
		return Detected.INSTANCE;
	}

	/** Whether /proc/cpuinfo text lists avx512_bf16 or amx_bf16 among a processor's flags. */
	static boolean hasBfloat16Flags(final String cpuinfo) {
		for (final String line : cpuinfo.split("\n")) {
			final String l = line.toLowerCase(Locale.ROOT);
			if (!l.startsWith("flags") || l.indexOf(':') < 0) continue;
			for (final String flag : l.substring(l.indexOf(':') + 1).trim().split("\\s+"))
				if (flag.equals("avx512_bf16") || flag.equals("amx_bf16")) return true;
		}
		return false;
	}

	/** The detected answer, computed on first use. */
	final class Detected {

		static final CpuFeatures INSTANCE = fixed(read(Paths.get("/proc/cpuinfo")));

		private Detected() {}

		static boolean read(final Path cpuinfo) {
			if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return false;
			try {
				return Files.isReadable(cpuinfo) && hasBfloat16Flags(Files.readString(cpuinfo, StandardCharsets.UTF_8));
			}
			catch (final IOException | RuntimeException e) {
				return false; // unknown CPU: float32, the safe choice
			}
		}
	}
}
