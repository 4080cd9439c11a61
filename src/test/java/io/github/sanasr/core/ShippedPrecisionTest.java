package io.github.sanasr.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ij.ImagePlus;
import io.github.sanasr.model.CpuFeatures;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The shipped model and its bfloat16 variant through the real path (registry, DJL, libtorch): which file runs
 * for each precision option, on this machine's CPU and on a CPU faked to lack AVX-512 BF16 and AMX, and that
 * the two networks give nearly the same picture.
 */
class ShippedPrecisionTest {

	private static final String F32 = "sana-sr-compact-x4.pt", BF16 = "sana-sr-compact-x4-bf16.pt";

	private static RestoreResult run(final CpuFeatures cpu, final String model, final String precision) throws Exception {
		final ImagePlus in = new ImagePlus("rgb", TestImages.plane(24, 40, 32, 5));
		try (Restorer r = new Restorer().cpuFeatures(cpu).log(null)) {
			return r.restore(in, RestoreOptions.builder().model(model).device("cpu").precision(precision).build(), null);
		}
	}

	private static String file(final RestoreResult r) {
		return Path.of(r.provenance().entries().get("model_file")).getFileName().toString();
	}

	@Test
	void autoRunsTheBfloat16VariantOnAFastCpuAndFloat32WhenTheFeatureIsAbsent() throws Exception {
		final RestoreResult fast = run(CpuFeatures.fixed(true), "sana-sr-compact-x4", "auto");
		final Map<String, String> p = fast.provenance().entries();
		assertEquals(BF16, file(fast));
		assertEquals("bfloat16", p.get("precision"));
		assertEquals("sana-sr-compact-x4-bf16", p.get("model_name"));
		assertEquals("sana-sr-compact-x4", p.get("model_requested"));
		assertTrue(p.get("precision_choice").startsWith("auto: the CPU has AVX-512 BF16 or AMX"), p.get("precision_choice"));

		final RestoreResult slow = run(CpuFeatures.fixed(false), "sana-sr-compact-x4", "auto");
		assertEquals(F32, file(slow));
		assertEquals("float32", slow.provenance().entries().get("precision"));
		assertFalse(slow.provenance().entries().containsKey("model_requested"));

		// the two networks: nearly the same picture (the variant is the same weights), but not the same file
		final int[] a = (int[]) fast.image().getProcessor().getPixels(), b = (int[]) slow.image().getProcessor()
			.getPixels();
		double se = 0;
		int differ = 0;
		for (int i = 0; i < a.length; i++)
			for (int shift = 0; shift < 24; shift += 8) {
				final int d = ((a[i] >> shift) & 255) - ((b[i] >> shift) & 255);
				se += d * d;
				if (d != 0) differ++;
			}
		final double psnr = 10 * Math.log10(255.0 * 255 / (se / (3.0 * a.length)));
		assertTrue(psnr > 45, "bfloat16 and float32 outputs differ: PSNR between them " + psnr + " dB");
		assertTrue(differ > 0, "the bfloat16 run gave the float32 pixels: did it run the variant?");
	}

	@Test
	void thisMachinesCpuDecidesAuto() throws Exception {
		final String cpuinfo = Files.isReadable(Path.of("/proc/cpuinfo")) ? Files.readString(Path.of("/proc/cpuinfo")) : "";
		final boolean fast = CpuFeatures.hasBfloat16Flags(cpuinfo);
		final RestoreResult r = run(CpuFeatures.detect(), "sana-sr-compact-x4", "auto");
		System.out.println("ShippedPrecisionTest: this CPU " + (fast ? "has" : "lacks") + " AVX-512 BF16/AMX; auto ran " +
			file(r));
		assertEquals(fast ? BF16 : F32, file(r));
	}

	@Test
	void float32InsistsAndBfloat16IsHonouredOnASlowCpu() throws Exception {
		assertEquals(F32, file(run(CpuFeatures.fixed(true), "sana-sr-compact-x4", "float32")));
		assertEquals(F32, file(run(CpuFeatures.fixed(true), "sana-sr-compact-x4-bf16", "float32")));
		final RestoreResult asked = run(CpuFeatures.fixed(false), "sana-sr-compact-x4", "bfloat16");
		assertEquals(BF16, file(asked));
		assertEquals("bfloat16 asked for", asked.provenance().entries().get("precision_choice"));
		final RestoreResult direct = run(CpuFeatures.fixed(false), "sana-sr-compact-x4-bf16", "auto");
		assertEquals(BF16, file(direct));
		assertNotEquals(null, direct.provenance().entries().get("model_sha256"));
	}
}
