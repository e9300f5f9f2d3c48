"""Query expansion with a thesaurus (WordNet 3.0), measured on top of the
kept ranking. Not kept: see docs/search-quality.md.

    apt-get install wordnet-base     # the database, in /usr/share/wordnet
    /tmp/lab/bin/python eval/lab/thesaurus.py

Each content word of a query is looked up (WordNet's own morphology: its
exception lists, then suffix rules) under the part of speech with the most
sense-tagged uses; its first (most frequent) sense gives synonyms, a
hypernym or the definition, appended to the query. `t` bounds the word's
sense-tag count: t0 expands only words too rare to have been tagged, the
ones most likely to be unknown to the model.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import *  # noqa: E402,F401

WN = os.environ.get("WORDNET_DIR", "/usr/share/wordnet")
FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
SUFFIXES = {
    "n": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")],
    "v": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"),
          ("ing", "")],
    "a": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "r": [],
}
STOP = set("""a an the my i me to of in on for at by with without from up down out over under
into after before is are was be it its it's this that so and or but not no can won't don't do
does get got go goes every all some any when while what which who how just too very as than then
there their they them we our you your his her he she him""".split())


def load():
    index, exceptions = {}, {}
    for pos, name in FILES.items():
        for line in open(f"{WN}/index.{name}"):
            if line.startswith(" "):
                continue  # licence header
            f = line.split()
            synsets, pointers = int(f[2]), int(f[3])
            rest = f[4 + pointers:]
            index[(f[0], pos)] = (int(rest[1]), [int(x) for x in rest[2:2 + synsets]])
        for line in open(f"{WN}/{name}.exc"):
            a = line.split()
            exceptions.setdefault((a[0], pos), a[1])
    return index, exceptions


INDEX, EXCEPTIONS = load()
DATA = {pos: open(f"{WN}/data.{name}", "rb") for pos, name in FILES.items()}


def synset(pos, offset):
    """(words, hypernym offsets, gloss) of the synset at `offset`."""
    DATA[pos].seek(offset)
    head, _, gloss = DATA[pos].readline().decode().partition(" | ")
    f = head.split()
    n = int(f[3], 16)
    words = [re.sub(r"\(.*\)$", "", f[4 + 2 * i]).replace("_", " ") for i in range(n)]
    k = 4 + 2 * n
    hypernyms = [(int(f[k + 2 + 4 * i]), "a" if f[k + 3 + 4 * i] == "s" else f[k + 3 + 4 * i])
                 for i in range(int(f[k])) if f[k + 1 + 4 * i] in ("@", "@i")]
    return words, hypernyms, gloss.split(";")[0].strip('" \n')


def lemma(word, pos):
    if (word, pos) in EXCEPTIONS:
        return EXCEPTIONS[(word, pos)]
    if (word, pos) in INDEX:
        return word
    for suffix, ending in SUFFIXES[pos]:
        if word.endswith(suffix) and (word[:-len(suffix)] + ending, pos) in INDEX:
            return word[:-len(suffix)] + ending
    return None


def first_sense(word, poses):
    """(lemma, tag count, synset) under the part of speech with most tagged uses."""
    best = None
    for pos in poses:
        base = lemma(word, pos)
        if base is not None:
            tags, offsets = INDEX[(base, pos)]
            if best is None or tags > best[1]:
                best = (base, tags, synset(pos, offsets[0]))
    return best


def expand(q, mode, tmax, poses):
    extra = []
    for word in re.findall(r"[a-z']+", q.lower()):
        if word in STOP or len(word) < 3:
            continue
        hit = first_sense(word, poses)
        if hit is None or hit[1] > tmax:
            continue
        base, _, (words, hypernyms, gloss) = hit
        synonyms = [w for w in words if w.lower() != base]
        hypernym = [synset(p, o)[0][0] for o, p in hypernyms[:1]]
        extra += {"synonyms": synonyms[:2], "hypernym": hypernym,
                  "synonym+hypernym": synonyms[:1] + hypernym, "gloss": [gloss]}[mode]
    template = "{q} (looking for a product)"
    if not extra:
        return template.format(q=q)
    if mode == "gloss":
        return template.format(q=q) + " " + ". ".join(extra)
    return template.format(q=q + " (" + ", ".join(extra) + ")")


TEMPLATE = "{q} (looking for a product)"
S1 = Qs[TEMPLATE] @ P.T
ev_o(band(vote_score(S1, pc, nc, w=1.5), 5, 5), "kept ranking")
for mode in ["synonyms", "hypernym", "synonym+hypernym", "gloss"]:
    for poses in ["n", "nv", "nvar"]:
        for tmax in [0, 2, 10, 10**9]:
            E = embed([expand(q, mode, tmax, poses) for q in qtext]) @ P.T
            ev_o(band(vote_score(E, pc, nc, w=1.5), 5, 5), f"{mode} {poses} t{tmax} alone")
            ev_o(band(vote_score((S1 + E) / 2, pc, nc, w=1.5), 5, 5), f"{mode} {poses} t{tmax} 50/50")
