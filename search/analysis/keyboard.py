"""Keyboard-layout slips: Hangul typed with the English layout, English with the Korean one.

On the standard Korean keyboard (두벌식, KS X 5002) each Latin key types one jamo,
and the input method composes the jamo into syllables as they come.  A person
who forgot to switch layouts types ``didwk`` for 양자 or ``ㅂㅕ무셔ㅡ`` for
quantum.  :func:`hangul_from_keys` composes Latin keystrokes the way the input
method does (a consonant after a vowel waits: it ends the syllable unless a
vowel follows, then it begins the next; two vowels or two final consonants
that make a compound one combine); :func:`keys_from_hangul` gives back the
keys that type a Hangul text.

Written here rather than taken from PyPI: ``hgtk`` (Apache-2.0) and
``hangul-jamo`` (MIT) compose and decompose syllables from jamo already
grouped per syllable, but neither runs the keyboard's automaton (which decides
where a syllable ends, and combines ㅗ+ㅏ into ㅘ or ㄹ+ㄱ into ㄺ), and neither
maps keys; those few tables and one small automaton are the whole job.
"""

from __future__ import annotations

__all__ = ["hangul_from_keys", "keys_from_hangul", "typed_on_korean_layout"]

#: Each key of the 두벌식 layout and the jamo it types (shifted keys only where they differ).
KEYS = {
    "q": "ㅂ", "w": "ㅈ", "e": "ㄷ", "r": "ㄱ", "t": "ㅅ", "y": "ㅛ", "u": "ㅕ", "i": "ㅑ",
    "o": "ㅐ", "p": "ㅔ", "a": "ㅁ", "s": "ㄴ", "d": "ㅇ", "f": "ㄹ", "g": "ㅎ", "h": "ㅗ",
    "j": "ㅓ", "k": "ㅏ", "l": "ㅣ", "z": "ㅋ", "x": "ㅌ", "c": "ㅊ", "v": "ㅍ", "b": "ㅠ",
    "n": "ㅜ", "m": "ㅡ", "Q": "ㅃ", "W": "ㅉ", "E": "ㄸ", "R": "ㄲ", "T": "ㅆ", "O": "ㅒ",
    "P": "ㅖ",
}  # fmt: skip
_JAMO_KEYS = {jamo: key for key, jamo in KEYS.items()}

INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
MEDIALS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
FINALS = " ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"  # " ": no final
#: Two vowels typed one after the other that make one (ㅗ then ㅏ: ㅘ) …
COMPOUND_VOWELS = {
    ("ㅗ", "ㅏ"): "ㅘ", ("ㅗ", "ㅐ"): "ㅙ", ("ㅗ", "ㅣ"): "ㅚ", ("ㅜ", "ㅓ"): "ㅝ",
    ("ㅜ", "ㅔ"): "ㅞ", ("ㅜ", "ㅣ"): "ㅟ", ("ㅡ", "ㅣ"): "ㅢ",
}  # fmt: skip
#: … and two consonants that make one final (ㄹ then ㄱ: ㄺ).
COMPOUND_FINALS = {
    ("ㄱ", "ㅅ"): "ㄳ", ("ㄴ", "ㅈ"): "ㄵ", ("ㄴ", "ㅎ"): "ㄶ", ("ㄹ", "ㄱ"): "ㄺ",
    ("ㄹ", "ㅁ"): "ㄻ", ("ㄹ", "ㅂ"): "ㄼ", ("ㄹ", "ㅅ"): "ㄽ", ("ㄹ", "ㅌ"): "ㄾ",
    ("ㄹ", "ㅍ"): "ㄿ", ("ㄹ", "ㅎ"): "ㅀ", ("ㅂ", "ㅅ"): "ㅄ",
}  # fmt: skip
_SPLIT_VOWELS = {v: pair for pair, v in COMPOUND_VOWELS.items()}
_SPLIT_FINALS = {f: pair for pair, f in COMPOUND_FINALS.items()}


def _syllable(initial: str, medial: str, final: str = "") -> str:
    code = INITIALS.index(initial) * 588 + MEDIALS.index(medial) * 28
    return chr(0xAC00 + code + (FINALS.index(final) if final else 0))


def hangul_from_keys(keys: str) -> str | None:
    """The Hangul that ``keys`` type on the Korean layout (``didwk`` → 양자), or None when
    a key is not a letter of it or a jamo is left alone (``xyz`` types no syllables)."""
    typed = _compose(keys)
    if typed is None or any(part in _ALONE for part in typed):
        return None
    return "".join(typed)


def typed_on_korean_layout(keys: str) -> str | None:
    """What the Korean input method shows for ``keys`` (``quantum`` → ㅂㅕ무셔ㅡ): syllables
    where the jamo make them, a jamo alone where they do not; None when a key is not a
    letter of the layout."""
    typed = _compose(keys)
    return None if typed is None else "".join(typed)


_ALONE = frozenset(INITIALS + MEDIALS)


def _compose(keys: str) -> list[str] | None:
    """Composes the jamo of ``keys`` as the input method does: each part is a syllable or
    a jamo left alone (a consonant without a vowel after it, a vowel without a consonant
    before it)."""
    jamo = []
    for key in keys:
        typed = KEYS.get(key) or KEYS.get(key.lower())
        if typed is None:
            return None
        jamo.append(typed)
    out: list[str] = []
    i, n = 0, len(jamo)
    while i < n:
        initial = jamo[i]
        if initial not in INITIALS or i + 1 >= n or jamo[i + 1] not in MEDIALS:
            out.append(initial)  # a syllable must start with a consonant and a vowel
            i += 1
            continue
        medial = jamo[i + 1]
        i += 2
        if i < n and (medial, jamo[i]) in COMPOUND_VOWELS:
            medial = COMPOUND_VOWELS[(medial, jamo[i])]
            i += 1
        final = ""
        if i < n and jamo[i] in FINALS.strip() and not (i + 1 < n and jamo[i + 1] in MEDIALS):
            final = jamo[i]  # a consonant not followed by a vowel ends the syllable
            i += 1
            pair = (final, jamo[i]) if i < n else None
            if pair in COMPOUND_FINALS and not (i + 1 < n and jamo[i + 1] in MEDIALS):
                final = COMPOUND_FINALS[pair]
                i += 1
        out.append(_syllable(initial, medial, final))
    return out


def keys_from_hangul(text: str) -> str:
    """The keys that type ``text`` on the Korean layout (양자 → ``didwk``); a compatibility
    jamo typed alone (ㅂ) is its key; any other character stays as it is."""
    out: list[str] = []
    for char in text:
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:
            medial, final = MEDIALS[(code % 588) // 28], FINALS[code % 28].strip()
            parts = [INITIALS[code // 588], *_SPLIT_VOWELS.get(medial, (medial,))]
            if final:
                parts += _SPLIT_FINALS.get(final, (final,))
            out += [_JAMO_KEYS[p] for p in parts]
        elif char in _JAMO_KEYS:
            out.append(_JAMO_KEYS[char])
        elif char in _SPLIT_VOWELS or char in _SPLIT_FINALS:
            pair = _SPLIT_VOWELS.get(char) or _SPLIT_FINALS[char]
            out += [_JAMO_KEYS[p] for p in pair]
        else:
            out.append(char)
    return "".join(out)
