"""Bilingual full-text search over lessons.

Decision: Chinese has no spaces, so PostgreSQL's parsers cannot find its words. Keel segments
text itself with jieba (`cut_for_search`, which also emits the shorter words inside long ones)
when a lesson is saved and stores the space-separated, lower-cased tokens (`search_title`,
`search_document`). On PostgreSQL a `tsvector` is built from them with the 'simple' configuration
(no stemming, no language guess: the tokens are already words) and GIN-indexed; a query is
segmented the same way into a prefix-matching `to_tsquery` (`短 & 视频 & 引流`, `short:* &
video:*`), ranked with `ts_rank` (title weight A over body weight B). pg_trgm was the other
option, but trigram similarity ranks poorly on two-character Chinese words and its index is
several times larger. On SQLite the same tokens are matched with `icontains` over the search
document and ranked in Python by term hits, title hits counting more. Snippets are built in
Python from the original text for both backends, so they look the same everywhere.

Across languages: the organisation keeps a glossary of term pairs (`GlossaryTerm`: 客户 ↔
customer, 渠道 ↔ pipeline). `expand` turns each query term into a group of alternatives, the term
and the other side of every pair it names; a text matches a group when it has any alternative
(all the words of a multi-word one). Partial words: pg_trgm is not enabled (see above), so when
the prefix search finds nothing both backends fall back to substring matching of the segmented
document (`icontains`: "view" finds "interviews", "视" finds "视频"). Retrospectives are matched
the same way, by substring over their texts, beside the lessons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db import connection
from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RUN = re.compile(f"[{CJK}]+")
WORD = re.compile(f"[{CJK}]+|[^\\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "how",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "their",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "who",
        "why",
        "with",
        "的",
        "了",
        "和",
        "是",
        "在",
        "与",
        "及",
        "或",
        "把",
        "被",
        "也",
        "都",
        "就",
        "很",
        "对",
        "为",
        "从",
        "而",
        "等",
        "个",
        "我们",
        "他们",
    ]
)
MAX_QUERY_TERMS = 12
MAX_SIMILAR_TERMS = 24


def _jieba():
    import jieba

    jieba.setLogLevel(60)
    return jieba


def tokens(text: str) -> list[str]:
    """Words of a text: jieba's search segmentation for Chinese runs, lower-cased words for the
    rest; stopwords dropped. Deterministic, so a document and a query segment alike."""
    result: list[str] = []
    for match in WORD.finditer(text or ""):
        chunk = match.group(0)
        if CJK_RUN.fullmatch(chunk):
            parts = [p for p in _jieba().cut_for_search(chunk) if p.strip()]
        else:
            parts = [chunk.lower()]
        result.extend(p for p in parts if p not in STOPWORDS)
    return result


def document(*texts: str) -> str:
    return " ".join(token for text in texts for token in tokens(text))


def query_terms(text: str, *, limit: int = MAX_QUERY_TERMS) -> list[str]:
    """Distinct terms of a query, in order."""
    seen: dict[str, None] = {}
    for token in tokens(text):
        seen.setdefault(token, None)
    return list(seen)[:limit]


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def tsquery_text(terms: list[str], *, any_term: bool = False) -> str:
    """A to_tsquery expression. Terms are [^\\W_]+ or CJK runs, so they need no quoting; Latin
    terms match as prefixes ("video" finds "videos"), Chinese words exactly."""
    parts = [term if CJK_RUN.match(term) else f"{term}:*" for term in terms]
    return (" | " if any_term else " & ").join(parts)


Group = list[tuple[str, ...]]  # alternatives; each alternative's words are all required


def _is_latin(term: str) -> bool:
    return not CJK_RUN.match(term)


def _side_matches(term: str, side: str, side_tokens: list[str]) -> bool:
    if term == side.casefold() or term in side_tokens:
        return True
    return _is_latin(term) and len(term) >= 3 and any(t.startswith(term) for t in side_tokens)


def expand(terms: list[str], pairs) -> list[Group]:
    """One group per query term: the term itself, then the other side of every glossary pair
    (term, translation) that names it, in either direction."""
    sides = [
        (a, tokens(a), b, tokens(b)) for a, b in pairs if (a or "").strip() and (b or "").strip()
    ]
    groups: list[Group] = []
    for term in terms:
        group: Group = [(term,)]
        for a, a_tokens, b, b_tokens in sides:
            for side, side_tokens, other in ((a, a_tokens, b_tokens), (b, b_tokens, a_tokens)):
                alt = tuple(other)
                if alt and alt not in group and _side_matches(term, side, side_tokens):
                    group.append(alt)
        groups.append(group)
    return groups


def flat_terms(groups: list[Group]) -> list[str]:
    """Every word of every alternative, once, in order (for highlighting and ranking)."""
    seen: dict[str, None] = {}
    for group in groups:
        for alt in group:
            for word in alt:
                seen.setdefault(word, None)
    return list(seen)


def tsquery_groups(groups: list[Group], *, any_term: bool = False) -> str:
    """to_tsquery over groups: `(客户 | customer:*) & 视频`."""

    def alternative(alt: tuple[str, ...]) -> str:
        text = tsquery_text(list(alt))
        return f"({text})" if len(alt) > 1 else text

    parts = []
    for group in groups:
        alts = [alternative(alt) for alt in group]
        parts.append(f"({' | '.join(alts)})" if len(alts) > 1 else alts[0])
    return (" | " if any_term else " & ").join(parts)


@dataclass
class Hit:
    score: float
    title_hits: int
    body_hits: int


def python_score(terms: list[str], title_doc: str, body_doc: str) -> Hit:
    """SQLite ranking: every occurrence of a term counts, in the title three times."""
    title_tokens, body_tokens = title_doc.split(), body_doc.split()
    title_hits = sum(1 for t in title_tokens for term in terms if t.startswith(term))
    body_hits = sum(1 for t in body_tokens for term in terms if t.startswith(term))
    distinct = sum(1 for term in terms if term in body_doc or term in title_doc)
    return Hit(
        score=distinct * 10 + title_hits * 3 + body_hits, title_hits=title_hits, body_hits=body_hits
    )


def highlight(text: str, terms: list[str]) -> SafeString:
    """The text, escaped, with every term occurrence wrapped in <mark>."""
    if not text:
        return mark_safe("")
    pattern = _pattern(terms)
    if pattern is None:
        return mark_safe(escape(text))
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet(fields: list[str], terms: list[str], *, width: int = 160) -> SafeString:
    """A window of about `width` characters around the first match in the first field that has
    one (or the start of the first non-empty field), highlighted."""
    pattern = _pattern(terms)
    texts = [" ".join(f.split()) for f in fields if f and f.strip()]
    if not texts:
        return mark_safe("")
    chosen, start = texts[0], 0
    if pattern is not None:
        for text in texts:
            match = pattern.search(text)
            if match:
                chosen, start = text, max(0, match.start() - width // 3)
                break
    piece = chosen[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(chosen) else ""
    return mark_safe(prefix + highlight(piece, terms) + suffix)


def _pattern(terms: list[str]) -> re.Pattern | None:
    usable = sorted({t for t in terms if t}, key=len, reverse=True)
    if not usable:
        return None
    return re.compile("|".join(re.escape(t) for t in usable), re.IGNORECASE)


def match_q(fields: tuple[str, ...], groups: list[Group], *, any_term: bool = False) -> Q:
    """Substring matching of groups: a group matches when one of its alternatives has all its
    words in one of the fields (any field per word); every group must match (any one with
    `any_term`). Other apps' search providers match their records with it."""

    def word_q(word: str) -> Q:
        return reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields))

    def group_q(group: Group) -> Q:
        return reduce(or_, (reduce(and_, (word_q(w) for w in alt)) for alt in group))

    return reduce(or_ if any_term else and_, (group_q(g) for g in groups))
