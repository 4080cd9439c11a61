"""The training degradations, one module per seam (see ``sanasr.degrade`` for the overview and the old
import path): random draws, kernels and filtering, noise, JPEG, and the three pipelines (heavy photographic,
light photographic, scientific) with the mixture that makes training pairs."""
