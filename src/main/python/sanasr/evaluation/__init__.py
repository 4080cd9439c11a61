"""The validation, one module per seam (see ``sanasr.evaluate`` for the overview, the driver and the CLI):
metrics, MATLAB imresize, protocols, methods, report."""
