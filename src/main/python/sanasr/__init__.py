"""SANA-SR model factory: presets, model, training stages, export (see docs/model-format.md)."""
