"""Date words for languages whose CLDR data in Babel is thin.

Babel has no Haitian Creole (``ht``) date names: it formats ``ht`` dates with French words
("mardi 3 mars 2026"). We keep Babel's patterns and swap the French words for Kreyòl ones
("madi 3 mas 2026"). A reviewer can correct these tables like any translation.
"""

from __future__ import annotations

import re

HT = {
    # weekdays, full and abbreviated
    "lundi": "lendi", "mardi": "madi", "mercredi": "mèkredi", "jeudi": "jedi", "vendredi": "vandredi",
    "samedi": "samdi", "dimanche": "dimanch",
    "lun.": "len.", "mar.": "mad.", "mer.": "mèk.", "jeu.": "jed.", "ven.": "van.", "sam.": "sam.",
    "dim.": "dim.",
    # months, full and abbreviated
    "janvier": "janvye", "février": "fevriye", "mars": "mas", "avril": "avril", "mai": "me", "juin": "jen",
    "juillet": "jiyè", "août": "out", "septembre": "septanm", "octobre": "oktòb", "novembre": "novanm",
    "décembre": "desanm",
    "janv.": "jan.", "févr.": "fev.", "juil.": "jiy.", "sept.": "sept.", "oct.": "okt.", "nov.": "nov.",
    "déc.": "des.",
}

OVERRIDES = {"ht": HT}
_PATTERNS = {
    lang: re.compile(r"(?<![\w.])(" + "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
                     + r")(?![\w])", re.IGNORECASE)
    for lang, table in OVERRIDES.items()
}


def fix_words(language: str, text: str) -> str:
    """Replace borrowed date words for ``language``; other languages pass through unchanged."""
    pattern = _PATTERNS.get(language)
    if not pattern:
        return text
    table = OVERRIDES[language]

    def swap(m):
        word = m.group(0)
        new = table.get(word.lower(), word)
        return new[:1].upper() + new[1:] if word[:1].isupper() else new

    return pattern.sub(swap, text)


# Russian puts a weekday after a preposition ("примерно в среду") in the accusative; CLDR gives
# only the nominative ("среда"). The masculine and neuter names do not change.
RU_ACCUSATIVE = {"среда": "среду", "пятница": "пятницу", "суббота": "субботу"}
_RU_DAY = re.compile(r"^(" + "|".join(RU_ACCUSATIVE) + r")\b", re.IGNORECASE)


def weekday_after_preposition(language: str, text: str) -> str:
    """A formatted date that starts with its weekday, in the form that follows a preposition."""
    if language != "ru":
        return text
    return _RU_DAY.sub(lambda m: RU_ACCUSATIVE[m.group(1).lower()], text)
