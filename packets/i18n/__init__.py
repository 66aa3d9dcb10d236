"""Translation: BCP 47 resolution, catalog loading, the per-language context and catalog tools.

Nothing here imports reportlab.
"""
