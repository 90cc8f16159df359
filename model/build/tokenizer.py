"""Byte-level BPE tokenizer for miniserve (train + reference encoder).

Vocabulary: ids 0..255 are raw bytes, ids 256..1022 are merges (merge i
creates id 256+i), id 1023 is <|endoftext|>. Pre-tokenisation uses an
ASCII-only GPT-2-like regex so JavaScript and Python split identically.
Encoding applies merges GPT-2 style: within a chunk, repeatedly pick the
adjacent pair with the lowest merge rank and merge every occurrence of it,
left to right, until no adjacent pair has a rank.

usage: python3 tokenizer.py [--corpus out/corpus.txt] [--out ../tokenizer.json]
"""
import argparse
import collections
import json
import os
import re

VOCAB_SIZE = 1024
EOT_ID = 1023
EOT = "<|endoftext|>"
N_MERGES = EOT_ID - 256  # 767

PRETOKENIZE = r" ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+"
# Python's \s and JavaScript's \s differ on a few exotic code points, so the
# Python side spells out JavaScript's exact whitespace set.
_JS_WS = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_PY_PATTERN = (PRETOKENIZE.replace(r"[^\sA-Za-z0-9]", "[^" + _JS_WS + "A-Za-z0-9]")
               .replace(r"(?!\S)", "(?![^" + _JS_WS + "])")
               .replace(r"\s+", "[" + _JS_WS + "]+"))
PAT = re.compile(_PY_PATTERN)


def pretokenize(text):
    return PAT.findall(text)


def train(text, n_merges=N_MERGES, verbose=True):
    counts = collections.Counter(pretokenize(text))
    words = [list(w.encode("utf-8")) for w in counts]
    freqs = list(counts.values())
    pair_counts = collections.Counter()
    where = collections.defaultdict(set)  # pair -> indices of words containing it
    for wi, (w, f) in enumerate(zip(words, freqs)):
        for a, b in zip(w, w[1:]):
            pair_counts[(a, b)] += f
            where[(a, b)].add(wi)
    merges = []
    for i in range(n_merges):
        if not pair_counts:
            break
        # highest count; ties broken by the smaller pair for determinism
        best = max(pair_counts.items(), key=lambda kv: (kv[1], (-kv[0][0], -kv[0][1])))[0]
        if pair_counts[best] < 2:
            break
        new_id = 256 + i
        merges.append(best)
        for wi in list(where[best]):
            w, f = words[wi], freqs[wi]
            # remove old pair counts for this word
            for a, b in zip(w, w[1:]):
                pair_counts[(a, b)] -= f
                if pair_counts[(a, b)] <= 0:
                    del pair_counts[(a, b)]
            out, j = [], 0
            while j < len(w):
                if j + 1 < len(w) and w[j] == best[0] and w[j + 1] == best[1]:
                    out.append(new_id)
                    j += 2
                else:
                    out.append(w[j])
                    j += 1
            words[wi] = out
            for a, b in zip(out, out[1:]):
                pair_counts[(a, b)] += f
                where[(a, b)].add(wi)
        del where[best]
        if verbose and (i % 100 == 0 or i == n_merges - 1):
            print(f"merge {i}: {best} -> {new_id}")
    return merges


class Tokenizer:
    def __init__(self, merges):
        self.merges = [tuple(m) for m in merges]
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self.vocab = {i: bytes([i]) for i in range(256)}
        for i, (a, b) in enumerate(self.merges):
            self.vocab[256 + i] = self.vocab[a] + self.vocab[b]
        self.cache = {}

    @classmethod
    def load(cls, path):
        with open(path) as fh:
            return cls(json.load(fh)["merges"])

    def encode_chunk(self, chunk):
        if chunk in self.cache:
            return self.cache[chunk]
        ids = list(chunk.encode("utf-8"))
        while len(ids) >= 2:
            best, best_rank = None, None
            for p in zip(ids, ids[1:]):
                r = self.ranks.get(p)
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = p, r
            if best is None:
                break
            new_id, out, j = 256 + best_rank, [], 0
            while j < len(ids):
                if j + 1 < len(ids) and ids[j] == best[0] and ids[j + 1] == best[1]:
                    out.append(new_id)
                    j += 2
                else:
                    out.append(ids[j])
                    j += 1
            ids = out
        if len(self.cache) < 200000:
            self.cache[chunk] = ids
        return ids

    def encode(self, text):
        """Plain text only: the string <|endoftext|> is NOT mapped to EOT."""
        ids = []
        for chunk in pretokenize(text):
            ids.extend(self.encode_chunk(chunk))
        return ids

    def decode(self, ids):
        return b"".join(self.vocab[i] for i in ids if i != EOT_ID).decode("utf-8", errors="replace")


FIXTURE_TEXTS = [
    "Return the number of items in the container.",
    "Hello, world!",
    "The quick brown fox jumps over the lazy dog.",
    "def add(a, b):\n    return a + b\n",
    "for i in range(10):\n\tprint(i * 2)",
    "Version 3.11.4 was released in 2023; pi is 3.14159.",
    "line one\nline two\n\n\nline five",
    "multiple   spaces    here  and trailing   ",
    "  leading spaces and a\r\nwindows newline",
    "Café au lait, naïve résumé, über, mañana.",
    "日本語のテキストと中文字符",
    "Emoji: 🚀🔥 and a family 👨‍👩‍👧 with flags 🇫🇷!",
    "x=1;y=2;z=x**y//3 # comment @decorator {'k': [1, 2]}",
    "",
    "   ",
    "ünïcödé-and-ASCII mixed: 12ab34 __init__ self.assertEqual(a,b)",
]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", default=os.path.join(here, "out", "corpus.txt"))
    ap.add_argument("--out", default=os.path.join(here, "..", "tokenizer.json"))
    ap.add_argument("--fixtures", default=os.path.join(here, "..", "fixtures", "tokenizer-cases.json"))
    a = ap.parse_args()
    with open(a.corpus, encoding="utf-8") as fh:
        text = fh.read()
    merges = train(text)
    assert len(merges) == N_MERGES, len(merges)
    with open(a.out, "w") as fh:
        json.dump({"type": "byte-bpe", "vocab_size": VOCAB_SIZE, "eot_id": EOT_ID,
                   "pretokenize": PRETOKENIZE, "merges": [list(m) for m in merges]}, fh)
    tok = Tokenizer(merges)
    cases = []
    for t in FIXTURE_TEXTS:
        ids = tok.encode(t)
        assert tok.decode(ids) == t
        cases.append({"text": t, "ids": ids})
    os.makedirs(os.path.dirname(a.fixtures), exist_ok=True)
    with open(a.fixtures, "w", encoding="utf-8") as fh:
        json.dump(cases, fh, ensure_ascii=False, indent=1)
    n = len(tok.encode(text))
    print(f"merges={len(merges)} corpus_bytes={len(text.encode())} tokens={n} "
          f"bytes_per_token={len(text.encode()) / n:.2f}")


if __name__ == "__main__":
    main()
