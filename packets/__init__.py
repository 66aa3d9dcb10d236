"""IL-2 patient-education packet generator.

Data flows one way: content + program profile + patient -> untranslated model ->
localized document (per LocaleContext) -> rendered PDF bytes -> atomic write.
Only ``packets.render`` imports reportlab.
"""

__version__ = "0.1.0"
