"""The Revised Romanization of Korean (국어의 로마자 표기법, 국립국어원, 2000).

:func:`romanize` writes Hangul as the standard does: by pronunciation, in
lowercase, with no dependency (a syllable is decomposed arithmetically from
U+AC00 into 19 initials, 21 vowels and 28 finals).  A *word* is a run of Hangul
syllables; anything else (spaces, digits, Latin letters, lone jamo) is copied
unchanged and ends the word, so no sound change crosses a space.

Applied, between the syllables of a word (제1장 제1항, 제2장, 제3장 제1항):

* the tables of 제2장: ㄱ ㄷ ㅂ are g d b before a vowel and k t p before a
  consonant or at the end; ㄹ is r before a vowel and l at the end, ㄹㄹ is ll;
  ㅇ is silent as an initial and ng as a final; ㅓ eo, ㅡ eu, ㅢ ui (also where it
  sounds as ㅣ), ㅚ oe, ㅟ wi;
* liaison (연음): a final moves over to an initial ㅇ (한국어 hangugeo,
  옷이 osi), of a double final the second consonant moves (닭이 dalgi), a final
  ㅎ is silent (좋아 joa, 많이 mani), a final ㅇ stays (중앙 jungang);
* final consonants before a consonant or at the end are their representative
  sound (표준 발음법 제9~11항): ㄱ ㄲ ㅋ ㄳ ㄺ k; ㄷ ㅅ ㅆ ㅈ ㅊ ㅌ ㅎ t;
  ㅂ ㅍ ㅄ ㄿ p; ㄴ ㄵ ㄶ n; ㄹ ㄼ ㄽ ㄾ ㅀ l; ㅁ ㄻ m (닭 dak, 값 gap, 삶 sam,
  앉다 anda);
* nasalisation (비음화): a k, t or p sound before ㄴ or ㅁ becomes ng, n or m
  (백마 baengma, 왕십리 wangsimni);
* the ㄹ rules: ㄹ after ㄴ or ㄹ, and ㄴ after ㄹ, are ll (신라 silla,
  대관령 daegwallyeong, 별내 byeollae); ㄹ after any other consonant is n
  (종로 jongno, 독립 dongnip, 협력 hyeomnyeok);
* aspiration with ㅎ: a final ㅎ with a following ㄱ ㄷ ㅈ gives k t ch (좋고
  joko, 놓다 nota, 낳지 nachi), with ㄴ gives nn (놓는 nonneun);
* palatalisation (구개음화): a final ㄷ or ㅌ before 이 is j or ch (해돋이
  haedoji, 같이 gachi), and ㄷ before 히 is ch (굳히다 guchida).

Not written, as the standard says (제3장 제1항 붙임): tensification
(압구정 apgujeong, 낙동강 nakdonggang, 샛별 saetbyeol, 앉다 anda).

Deliberate choices, since we romanize names out of running text, without
knowing a word's part of speech or its compound structure:

* ㄱ ㄷ ㅂ before ㅎ: the standard aspirates them in verbs (잡혀 japyeo) but keeps
  the ㅎ in nouns (제3장 제1항 4 붙임: 묵호 Mukho, 집현전 Jiphyeonjeon).  The noun
  rule applies, except before the verb suffix 히 and its forms 혀 and 혔
  (잡혀 japyeo, 굳히다 guchida, 넓히다 neolpida), which names do not contain.
* ㄴ before ㄹ is ll (신라 silla, 한라산 hallasan), but nn before the road suffix
  로 ending a word of three or more syllables (신문로 sinmunno, as the standard
  writes it; 표준 발음법 제20항 붙임).  Other words of that kind (의견란
  [의견난], 동원령 [동원녕]) are not recognised: they are written ll.
* ㄴ insertion (ㄴ 첨가, 표준 발음법 제29항) is not applied: 학여울 gives
  hagyeoul, not the official hangnyeoul; the insertion depends on where a
  compound's parts meet, which the spelling does not show.
* Neutralisation before a vowel across a compound boundary (겉옷 [거돋], 제15항)
  is not applied either: the final simply moves over (geotot).
* The hyphen the standard allows against ambiguity (중앙 jung-ang, 반구대
  Ban-gudae) and the one before administrative units (제5항: 인왕리
  Inwang-ri, with no assimilation) are not written: we match words in text,
  where the unhyphenated spelling is the common one.
* The lexical exceptions of the representative sounds (밟다 [밥따], 맑게 [말께])
  follow the general rule; proper names are not capitalised (lowercase out).
"""

from __future__ import annotations

__all__ = ["romanize"]

_FIRST_SYLLABLE = 0xAC00  # 가
_LAST_SYLLABLE = 0xD7A3  # 힣
_VOWEL_COUNT = 21
_FINAL_COUNT = 28

#: The 19 initials, the 21 vowels and the 28 finals ("" for none), in Unicode order.
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_VOWELS = "ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ"
_FINALS = ("",) + tuple("ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ")

#: 제2장 제2항: consonants before a vowel.
_INITIAL_ROMAN = {
    "ㄱ": "g", "ㄲ": "kk", "ㄴ": "n", "ㄷ": "d", "ㄸ": "tt", "ㄹ": "r", "ㅁ": "m",
    "ㅂ": "b", "ㅃ": "pp", "ㅅ": "s", "ㅆ": "ss", "ㅇ": "", "ㅈ": "j", "ㅉ": "jj",
    "ㅊ": "ch", "ㅋ": "k", "ㅌ": "t", "ㅍ": "p", "ㅎ": "h",
}  # fmt: skip

#: 제2장 제1항: the vowels.
_VOWEL_ROMAN = {
    "ㅏ": "a", "ㅐ": "ae", "ㅑ": "ya", "ㅒ": "yae", "ㅓ": "eo", "ㅔ": "e", "ㅕ": "yeo",
    "ㅖ": "ye", "ㅗ": "o", "ㅘ": "wa", "ㅙ": "wae", "ㅚ": "oe", "ㅛ": "yo", "ㅜ": "u",
    "ㅝ": "wo", "ㅞ": "we", "ㅟ": "wi", "ㅠ": "yu", "ㅡ": "eu", "ㅢ": "ui", "ㅣ": "i",
}  # fmt: skip

#: 제2장 제2항: the seven sounds a final can have before a consonant or at the end.
_FINAL_ROMAN = {
    "": "",
    "ㄱ": "k",
    "ㄴ": "n",
    "ㄷ": "t",
    "ㄹ": "l",
    "ㅁ": "m",
    "ㅂ": "p",
    "ㅇ": "ng",
}

#: The representative sound of each final (표준 발음법 제9~11항).
_NEUTRAL = {
    "": "", "ㄱ": "ㄱ", "ㄲ": "ㄱ", "ㄳ": "ㄱ", "ㄴ": "ㄴ", "ㄵ": "ㄴ", "ㄶ": "ㄴ",
    "ㄷ": "ㄷ", "ㄹ": "ㄹ", "ㄺ": "ㄱ", "ㄻ": "ㅁ", "ㄼ": "ㄹ", "ㄽ": "ㄹ", "ㄾ": "ㄹ",
    "ㄿ": "ㅂ", "ㅀ": "ㄹ", "ㅁ": "ㅁ", "ㅂ": "ㅂ", "ㅄ": "ㅂ", "ㅅ": "ㄷ", "ㅆ": "ㄷ",
    "ㅇ": "ㅇ", "ㅈ": "ㄷ", "ㅊ": "ㄷ", "ㅋ": "ㄱ", "ㅌ": "ㄷ", "ㅍ": "ㅂ", "ㅎ": "ㄷ",
}  # fmt: skip

#: A double final as the consonant that stays and the one that moves to a vowel.
_DOUBLE = {
    "ㄳ": ("ㄱ", "ㅅ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄶ": ("ㄴ", "ㅎ"), "ㄺ": ("ㄹ", "ㄱ"),
    "ㄻ": ("ㄹ", "ㅁ"), "ㄼ": ("ㄹ", "ㅂ"), "ㄽ": ("ㄹ", "ㅅ"), "ㄾ": ("ㄹ", "ㅌ"),
    "ㄿ": ("ㄹ", "ㅍ"), "ㅀ": ("ㄹ", "ㅎ"), "ㅄ": ("ㅂ", "ㅅ"),
}  # fmt: skip

#: An obstruent merged with ㅎ: its aspirated consonant (격음화).
_ASPIRATED = {
    "ㄱ": "ㅋ", "ㄲ": "ㅋ", "ㅋ": "ㅋ", "ㄷ": "ㅌ", "ㅅ": "ㅌ", "ㅆ": "ㅌ", "ㅈ": "ㅊ",
    "ㅊ": "ㅊ", "ㅌ": "ㅌ", "ㅂ": "ㅍ", "ㅍ": "ㅍ",
}  # fmt: skip

#: A k, t or p sound before ㄴ or ㅁ (비음화).
_NASAL = {"ㄱ": "ㅇ", "ㄷ": "ㄴ", "ㅂ": "ㅁ"}

#: ㄷ and ㅌ before the vowel ㅣ (구개음화).
_PALATAL = {"ㄷ": "ㅈ", "ㅌ": "ㅊ"}

#: A final ㅎ, ㄶ or ㅀ without its ㅎ.
_WITHOUT_H = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}


class _Syllable:
    """One syllable as it is pronounced: initial, vowel and final (a jamo or "")."""

    __slots__ = ("final", "initial", "vowel")

    def __init__(self, char: str) -> None:
        index = ord(char) - _FIRST_SYLLABLE
        self.initial = _INITIALS[index // (_VOWEL_COUNT * _FINAL_COUNT)]
        self.vowel = _VOWELS[index // _FINAL_COUNT % _VOWEL_COUNT]
        self.final = _FINALS[index % _FINAL_COUNT]


def _is_syllable(char: str) -> bool:
    return _FIRST_SYLLABLE <= ord(char) <= _LAST_SYLLABLE


def _verb_suffix(syllable: _Syllable) -> bool:
    """Whether a ㅎ syllable is the verb suffix 히 (혀, 혔): 잡혀, 굳히다, 급히."""
    return syllable.initial == "ㅎ" and (
        syllable.vowel == "ㅣ" or (syllable.vowel == "ㅕ" and syllable.final in ("", "ㅆ"))
    )


def _boundary(final: str, following: _Syllable, road: bool) -> tuple[str, str]:
    """The final of one syllable and the initial of the next, as pronounced.

    The final returned is one of the seven sounds of :data:`_FINAL_ROMAN`;
    *road* says the next syllable is the suffix 로 of a road name.
    """
    initial, vowel = following.initial, following.vowel
    if not final:
        return "", initial

    if initial == "ㅇ":  # liaison
        if final == "ㅇ":
            return "ㅇ", initial
        stays, moves = _DOUBLE.get(final, ("", final))
        if moves == "ㅎ":  # 좋아 joa, 많이 mani, 싫어 sireo
            stays, moves = "", _WITHOUT_H[final]
        if vowel == "ㅣ":
            moves = _PALATAL.get(moves, moves)  # 해돋이 haedoji, 같이 gachi
        return stays, moves or initial

    if initial == "ㅎ":
        stays, merges = _DOUBLE.get(final, ("", final))
        if merges in _ASPIRATED and _verb_suffix(following):  # 잡혀 japyeo, 앉히다 anchida
            aspirated = _ASPIRATED[merges]
            if vowel == "ㅣ":
                aspirated = _PALATAL.get(aspirated, aspirated)  # 굳히다 guchida
            return stays, aspirated
        if final in _WITHOUT_H:
            return _WITHOUT_H[final], initial
        return _NEUTRAL[final], initial  # the noun rule: 묵호 mukho, 집현전 jiphyeonjeon

    if final in _WITHOUT_H:  # a final ㅎ before a consonant
        rest = _WITHOUT_H[final]
        if initial in ("ㄱ", "ㄷ", "ㅈ"):  # 좋고 joko, 놓다 nota, 낳지 nachi, 많다 manta
            return rest, _ASPIRATED[initial]
        if initial == "ㅅ":  # 닿소 daso: the ㅆ it becomes is not written
            return rest, initial
        if initial == "ㄴ" and not rest:  # 놓는 nonneun
            return "ㄴ", initial
        final = rest or "ㅎ"

    sound = _NEUTRAL[final]
    if initial == "ㄹ":
        if sound == "ㄹ" or (sound == "ㄴ" and not road):  # 울릉 ulleung, 신라 silla
            return "ㄹ", "ㄹ"
        initial = "ㄴ"  # 종로 jongno, 독립 dongnip, 신문로 sinmunno
    elif sound == "ㄹ" and initial == "ㄴ":  # 별내 byeollae
        return "ㄹ", "ㄹ"
    if initial in ("ㄴ", "ㅁ"):
        sound = _NASAL.get(sound, sound)  # 백마 baengma, 독립 dongnip
    return sound, initial


def _romanize_word(word: str) -> str:
    """A run of Hangul syllables, with the sound changes between them."""
    syllables = [_Syllable(char) for char in word]
    for i, (syllable, following) in enumerate(zip(syllables, syllables[1:], strict=False)):
        road = len(word) >= 3 and i == len(word) - 2 and word[-1] == "로"
        syllable.final, following.initial = _boundary(syllable.final, following, road)
    syllables[-1].final = _NEUTRAL[syllables[-1].final]

    out: list[str] = []
    before = ""  # the final sound of the syllable before
    for syllable in syllables:
        if syllable.initial == "ㄹ" and before == "ㄹ":
            out.append("l")  # ㄹㄹ is ll (울릉 ulleung)
        else:
            out.append(_INITIAL_ROMAN[syllable.initial])
        out.append(_VOWEL_ROMAN[syllable.vowel])
        out.append(_FINAL_ROMAN[syllable.final])
        before = syllable.final
    return "".join(out)


def romanize(hangul: str) -> str:
    """The Revised Romanization of *hangul*, lowercase; '' if it holds no Hangul syllable.

    Each run of Hangul syllables is romanized as one word, with the sound
    changes between its syllables; every other character is kept as it is
    (``"종로 3가"`` gives ``"jongno 3ga"``).
    """
    if not any(_is_syllable(char) for char in hangul):
        return ""
    out: list[str] = []
    start = 0
    for i, char in enumerate(hangul):
        if not _is_syllable(char):
            if start < i:
                out.append(_romanize_word(hangul[start:i]))
            out.append(char)
            start = i + 1
    if start < len(hangul):
        out.append(_romanize_word(hangul[start:]))
    return "".join(out)
