"""The validation, one module per seam (see ``sanasr.evaluate`` for the overview, the driver and the CLI):
``metrics`` (PSNR/SSIM/colour shift), ``imresize`` (MATLAB bicubic), ``protocols`` (bicubic, realistic,
binning), ``methods`` (bicubic, Lanczos, model folders), ``texture`` (band energy and correlation), ``niqe``,
``measures`` (one row's fields) and ``report`` (means, headline, tables)."""
