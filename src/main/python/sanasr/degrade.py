"""Degradations that turn HR crops into (LR, target, prompt) training triples.

The code lives in ``sanasr.degradation``, one module per seam (``sampling``, ``kernels``, ``noise``, ``jpeg``,
``photographic``, ``light``, ``scientific``, ``pairs``); this module keeps the old import path, which
training and the benchmarks use, and the overview.

Two families are mixed in every batch:

(a) **Photographic** - Real-ESRGAN's second-order model with its default ranges
    (``options/train_realesrnet_x4plus.yml``; BasicSR ``degradations.py``/``diffjpeg.py``):
    stage 1 blur (iso/aniso/generalised/plateau Gaussian or sinc, size 7..21), resize
    up/down/keep, Gaussian or Poisson noise (grey noise p .4), JPEG 30-95; stage 2 blur (p .8),
    resize, noise; then 50/50 [resize to H/scale + final sinc -> JPEG] or [JPEG -> resize +
    sinc]; round to 8 bit. As in Real-ESRGAN the resize factor and mode are drawn once per
    batch (all samples of the family share the intermediate size); kernels, noise and JPEG
    quality are drawn per sample. Label: 'photo', or 'astro' for astro sources.
    Differences to Real-ESRGAN: the Gaussian/Poisson choice is per sample instead of per batch,
    the target is not unsharp-masked (``gt_usm``), and a greyscale HR always gets grey noise
    (so greyscale inputs stay greyscale).

    A share ``light_p`` of the photographic samples gets the **light** model instead, the classic SR
    benchmark degradations that Real-ESRGAN's heavy ranges almost never produce: optional Gaussian blur
    (p .5, sigma 0.2-1.5 HR px), antialiased bicubic / area / bilinear downscaling by ``scale``,
    optional Gaussian noise (p .3, sigma 1-8 /255), optional JPEG (p .3, quality 60-95), 8 bit.
    A third of them are plain bicubic x1/scale. Without this share a model learns that sharpening
    never pays and stays at bicubic on clean or lightly degraded inputs.

(b) **Scientific** - a camera/detector model: PSF-like isotropic Gaussian blur (sigma in HR
    pixels), pixel binning (area) or bicubic downsampling by ``scale``, Poisson-Gaussian noise
    at a sampled photon level (``counts = Poisson(peak * x) + N(0, read^2)``, then divided by
    ``peak`` again, so the intensity scale of the target is kept), quantisation to 8/12/16 bit
    and optionally greyscale-only. 8-bit data is clipped to [0, 1]; 12/16-bit data is not
    clipped (a camera offset keeps the noise floor, and the plugin's percentile normalisation
    yields values slightly outside [0, 1] too). The sub-type decides the ranges and the label:

    =============  =========  ==================  ===============  ========  =====  ==========
    label          grey p     PSF sigma (HR px)   peak photons     read e-   bits   extra
    =============  =========  ==================  ===============  ========  =====  ==========
    fluorescence   0.7        1.0 - 3.0           5 - 500 (log)    0.5 - 3   12/16
    brightfield    0.3        0.6 - 2.5           300 - 10000      1 - 10    8/12
    histology      0.0        0.5 - 2.0           1000 - 20000     1 - 10    8      JPEG 70-95 p .5
    electron       1.0        0.5 - 2.0           10 - 300         0.5 - 5   8/16
    generic        0.5        0.0 - 3.0           3 - 10000        0 - 10    8/12/16
    astro          0.3        0.8 - 3.0           20 - 5000        1 - 10    16     (astro sources only)
    =============  =========  ==================  ===============  ========  =====  ==========

    Astro sources in the scientific family get the 'astro' sub-type (a CCD with seeing);
    other sources draw one of the first five with probabilities ``scientific_mix``.

Finally a share ``generic_relabel_p`` of all samples (either family) is relabelled 'generic'
so that the generic prompt sees every kind of degradation.

``hr_target`` equals ``hr`` except for greyscale-only scientific samples (both converted).

All randomness comes from the ``torch.Generator`` passed in. Parameters are drawn on the
generator's device and moved; image-sized noise is drawn on the generator's device too, so on
CUDA pass a CUDA generator to avoid host->device copies of noise.
"""

# the old import path: every name this module had before the split (private ones included)
from .degradation.sampling import (  # noqa: F401
    _uniform, _log_uniform, _bernoulli, _choice, _scalar_choice, _randn_like, _poisson)
from .degradation.kernels import (  # noqa: F401
    KERNEL_SIZE, _kernel_grid, _support_mask, gaussian_family_kernels, bessel_j1, sinc_kernels, delta_kernels,
    KernelRanges, _sample_beta, _sample_ksize, random_blur_kernels, isotropic_gaussian_kernels,
    random_final_sinc_kernels, _safe_pad, _fft_size, filter2d, RESIZE_MODES, resize)
from .degradation.noise import (  # noqa: F401
    rgb_to_grey, is_grey, _split, add_gaussian_noise, add_poisson_noise, add_poisson_gaussian_noise, quantise,
    round_8bit)
from .degradation.jpeg import _LUMA_TABLE, _CHROMA_TABLE, jpeg_tables, _dct_basis, _blockwise, jpeg  # noqa: F401
from .degradation.photographic import (  # noqa: F401
    RealEsrganSettings, _random_noise, _random_resize, realesrgan_degrade)
from .degradation.light import LightSettings, light_degrade  # noqa: F401
from .degradation.scientific import ScientificType, SCIENTIFIC_TYPES, scientific_degrade  # noqa: F401
from .degradation.pairs import PROMPTS, DegradationConfig, make_pairs  # noqa: F401
