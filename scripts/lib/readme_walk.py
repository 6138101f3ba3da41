#!/usr/bin/env python3
"""The README's walkthroughs as a script, and their answers checked against
what the README says they are (scripts/readme-walkthrough.sh runs both).

    readme_walk.py script README.md BASE_URL > walk.sh
    readme_walk.py check README.md WALK_LOG BODIES_LOG

`script` takes every ```sh block from the "Walkthrough with curl" heading on,
in order, except one preceded by a line `<!-- walkthrough: not run (why) -->`,
and writes them as one bash script with `http://127.0.0.1:8080` replaced by
BASE_URL. Before each command it sets WALK_AT to the README line the command
starts on, which the script's `curl` (a wrapper) logs with each answer's
status.

`check` reads that log. A request's expected answer is what the README says
next to it: every three-digit status (100-599) in the comments on the
command's own lines or in the indented comment lines right after it
("#    → 201 ..."; up to a blank line, a command or another comment). With
none, the answer must be 2xx; with several (a loop, a burst), each must
have been answered at least once. Every `"key": value` written there (a
string, number, true, false or null) must be in an answer's body, as JSON
writes it; a string ending in "..." or "…" stands for any string it begins. Every block run must have made at least one
request checked, and every request logged must belong to a command.
"""
import re
import sys

START = "## Walkthrough with curl"
SKIP = re.compile(r"<!-- walkthrough: not run \(.+\) -->")
STATUS = re.compile(r"(?<![\d.,/-])([1-5]\d\d)(?![\d.,/-])")
LOCAL = "http://127.0.0.1:8080"
PAIR = re.compile(r'"(\w+)"\s*:\s*("[^"]*"|-?\d+(?:\.\d+)?|true|false|null)')
NOTE = re.compile(r"#\s{2,}\S")
HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")


def blocks(lines):
    """(first line number, numbered lines) of each block run, in order."""
    # `inside`: the block being read, False inside a block not run, None
    # outside any.
    out, started, skip, inside = [], False, False, None
    for n, line in enumerate(lines, 1):
        if inside is not None:
            if line.startswith("```"):
                if inside is not False:
                    out.append(inside)
                inside = None
            elif inside is not False:
                inside[1].append((n, line))
            continue
        if line.startswith(START):
            started = True
        elif SKIP.search(line):
            skip = True
        elif line.startswith("```"):
            run = started and line.strip() == "```sh" and not skip
            inside = (n + 1, []) if run else False
            skip = False
    return out


def commands(block):
    """Each command of a block: (first line number, its comments' texts).

    A command starts on a line that does not continue the line before (an
    open quote, `(` or `{`, or here-document; a line ending in a backslash,
    `|`, `&&`, `||`, `do` or `then`)."""
    out, current, quote, depth, cont, heredoc = [], None, None, 0, False, None
    for n, line in block:
        if heredoc is not None:
            # A here-document's lines belong to the command that opened it.
            if line.strip() == heredoc:
                heredoc = None
            continue
        at_start = quote is None and depth == 0 and not cont
        stripped = line.strip()
        if at_start and (not stripped or stripped.startswith("#")):
            # Notes on a command's answer follow it indented ("#    → 201 ...");
            # anything else ends them.
            if current is not None and current[2] and NOTE.match(stripped):
                current[1].append(stripped)
            elif current is not None:
                current[2] = False
            continue
        if at_start:
            # First line, comments, whether indented notes may still follow.
            current = [n, [], True]
            out.append(current)
        comment, i = None, 0
        while i < len(line):
            c = line[i]
            if quote == "'":
                if c == "'":
                    quote = None
            elif quote == '"':
                if c == "\\":
                    i += 1
                elif c == '"':
                    quote = None
            elif c == "\\":
                i += 1
            elif c in "'\"":
                quote = c
            elif c == "#" and (i == 0 or line[i - 1] in " \t"):
                comment = i
                break
            elif c in "({":
                depth += 1
            elif c in ")}":
                depth -= 1
            i += 1
        if comment is not None:
            current[1].append(line[comment:])
        code = line[:comment].rstrip()
        opened = HEREDOC.search(code) if quote is None else None
        if opened:
            heredoc = opened.group(1)
        cont = quote is not None or code.endswith(("\\", "|", "&&", "||", "do", "then"))
    return [(first, texts) for first, texts, _ in out]


def script(readme, base):
    lines = open(readme, encoding="utf-8").read().split("\n")
    print("# Generated from README.md by scripts/lib/readme_walk.py.")
    for i, (first, block) in enumerate(blocks(lines), 1):
        starts = {a for a, _ in commands(block)}
        print(f'echo "block {i} (README.md:{first}) at $(date +%s)" >&2')
        for n, line in block:
            if n in starts:
                print(f"WALK_AT={n}")
            print(line.replace(LOCAL, base))


def claimed(key, value):
    """A pattern for `"key": value` as a body has it."""
    if value.startswith('"') and value.endswith(('..."', '…"')):
        prefix = value[:-4] if value.endswith('..."') else value[:-2]
        return re.escape(f'"{key}":{prefix}')
    return re.escape(f'"{key}":{value}') + r"(?![\w.])"


def check(readme, log, bodies_log):
    lines = open(readme, encoding="utf-8").read().split("\n")
    expected, block_of, claims = {}, {}, {}
    all_blocks = blocks(lines)
    for i, (first, block) in enumerate(all_blocks, 1):
        for a, texts in commands(block):
            expected[a] = {int(s) for t in texts for s in STATUS.findall(t)}
            block_of[a] = (i, first)
            claims[a] = [m.groups() for t in texts for m in PAIR.finditer(t)]
    bodies = {}
    for entry in open(bodies_log, encoding="utf-8", errors="replace"):
        at, _, body = entry.partition(" ")
        bodies.setdefault(int(at), []).append(body)
    seen, failures, checked, answered = {}, [], 0, {}
    for entry in open(log, encoding="utf-8"):
        at, status, method, url = entry.rstrip("\n").split(" ", 3)
        at, status = int(at), int(status)
        if at not in expected:
            failures.append(f"README.md:{at}: a request outside any command: {method} {url}")
            continue
        checked += 1
        seen[block_of[at]] = seen.get(block_of[at], 0) + 1
        answered.setdefault(at, set()).add(status)
        want = expected[at]
        ok = status in want if want else 200 <= status < 300
        if not ok:
            said = ", ".join(map(str, sorted(want))) if want else "2xx"
            failures.append(f"README.md:{at}: {method} {url} answered {status}; the README says {said}")
    for at, pairs in sorted(claims.items()):
        text = "\n".join(bodies.get(at, []))
        for key, value in pairs:
            if not re.search(claimed(key, value), text):
                failures.append(f"README.md:{at}: the README says \"{key}\": {value}; no answer has it")
    for at, want in sorted(expected.items()):
        missing = want - answered.get(at, set())
        if missing:
            said = ", ".join(map(str, sorted(missing)))
            failures.append(f"README.md:{at}: the README says {said}, never answered")
    for i, (first, _) in enumerate(all_blocks, 1):
        if (i, first) not in seen:
            failures.append(f"README.md:{first}: block {i} made no request")
    print(f"readme-walkthrough: {checked} answers checked over {len(seen)} of {len(all_blocks)} blocks, "
          f"and {sum(map(len, claims.values()))} values the README gives", file=sys.stderr)
    for f in failures:
        print(f"  {f}", file=sys.stderr)
    return 1 if failures or not checked else 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["script"] and len(sys.argv) == 4:
        script(sys.argv[2], sys.argv[3])
    elif sys.argv[1:2] == ["check"] and len(sys.argv) == 5:
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
    else:
        sys.exit(__doc__)
