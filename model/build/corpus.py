"""Build the miniserve training corpus from Python standard-library docstrings.

Source: the pure-Python standard library shipped by Debian in
/usr/lib/python3.11 (PSF License Agreement v2, permissive). Third-party
packages under site-packages/dist-packages are excluded. We parse each file
with `ast`, take module/class/function docstrings plus the prose strings of
pydoc_data/topics.py (the help() topic texts), split them into paragraphs,
normalise whitespace, keep paragraphs that look like English prose, and
deduplicate. Long full-line `#` comment blocks are
included too. The kept paragraphs of one docstring/comment form one
"document": paragraphs are joined by a single newline and documents are
separated by a blank line (the trainer puts <|endoftext|> between them).

usage: python3 corpus.py [--src /usr/lib/python3.11] [--out out/corpus.txt]
"""
import argparse
import ast
import hashlib
import json
import os
import re
import tokenize
import io

EXCLUDE_DIRS = {"site-packages", "dist-packages", "__pycache__"}

WORD = re.compile(r"[A-Za-z]+")
COMMON = set("""the a an of to and in is be for that this it with as on are by or
not from if can which will its at when returns return value used use all
any should no may each one object function method file name given""".split())


def iter_sources(src):
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        dirs[:] = sorted(d for d in dirs
                         if d not in EXCLUDE_DIRS and os.path.join(rel, d).lstrip("./") not in EXCLUDE_DIRS)
        for f in sorted(files):
            if f.endswith(".py"):
                yield os.path.join(root, f)


def docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            d = ast.get_docstring(node, clean=True)
            if d:
                yield d


def topic_strings(tree):
    """pydoc_data/topics.py holds a dict literal of long help texts."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) > 200:
            yield node.value


def comment_blocks(source):
    """Runs of consecutive full-line `#` comments (long explanatory comments)."""
    block, last_row = [], -2
    try:
        toks = list(tokenize.tokenize(io.BytesIO(source).readline))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return
    for tok in toks:
        if tok.type != tokenize.COMMENT:
            continue
        if tok.line.strip() != tok.string.strip():
            continue  # trailing comment after code
        text = tok.string.lstrip("#").strip()
        if tok.start[0] == last_row + 1 and text:
            block.append(text)
        else:
            if len(block) >= 2:
                yield "\n".join(block)
            block = [text] if text else []
        last_row = tok.start[0]
    if len(block) >= 2:
        yield "\n".join(block)


def paragraphs(text):
    for para in re.split(r"\n\s*\n", text):
        lines = [l.strip() for l in para.splitlines()]
        if not lines:
            continue
        # skip doctest / code-ish blocks
        if any(l.startswith((">>>", "...", "$ ", "%")) for l in lines):
            continue
        yield " ".join(l for l in lines if l)


def is_prose(p):
    if len(p) < 40 or len(p) > 3000:
        return False
    if not p.isascii():
        return False
    words = WORD.findall(p)
    if len(words) < 6:
        return False
    letters = sum(len(w) for w in words)
    if letters / len(p) < 0.65:  # mostly letters, not symbols/code
        return False
    if sum(1 for w in words if w.lower() in COMMON) / len(words) < 0.12:
        return False
    if p.count("_") > len(words) // 2 or p.count("(") > len(words) // 3:
        return False
    if re.match(r"^(copyright|license|author)", p, re.I):
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default="/usr/lib/python3.11")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "out", "corpus.txt"))
    a = ap.parse_args()
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    seen, kept, n_files, n_used = set(), [], 0, 0
    for path in iter_sources(a.src):
        n_files += 1
        try:
            with open(path, "rb") as fh:
                source = fh.read()
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        texts = list(topic_strings(tree)) if path.endswith("pydoc_data/topics.py") else list(docstrings(tree)) + list(comment_blocks(source))
        used = False
        for t in texts:
            doc = []
            for p in paragraphs(t):
                p = re.sub(r"\s+", " ", p).strip()
                if not is_prose(p):
                    continue
                h = hashlib.sha1(p.lower().encode()).digest()
                if h in seen:
                    continue
                seen.add(h)
                doc.append(p)
            if doc:
                kept.append("\n".join(doc))
                used = True
        n_used += used
    data = "\n\n".join(kept) + "\n"
    n_paras = sum(d.count("\n") + 1 for d in kept)
    with open(a.out, "w", encoding="utf-8") as fh:
        fh.write(data)
    stats = {"source": a.src, "licence": "PSF License Agreement v2 (Python standard library)",
             "files_scanned": n_files, "files_used": n_used, "documents": len(kept), "paragraphs": n_paras,
             "bytes": len(data.encode())}
    with open(a.out.replace(".txt", ".stats.json"), "w") as fh:
        json.dump(stats, fh, indent=1)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
