"""Every Python block of the README and the user guide runs and prints what the
document says it prints.

The blocks of a document run in order in one namespace, as a reader pasting
them would. A Python block followed by a ``text`` block prints that text: the
words exactly, every number within ``RTOL`` of the documented one or ``ATOL``,
whichever is larger (trained models round differently on other CPUs; the
documents print two or three decimals). A Python block with no output block
prints nothing. Shell blocks (the full default study) do not run here.

When the code changes what a block prints, the failure names each number that
moved and by how much, and shows the block's whole new output;
``python tests/catalogues/test_doc_blocks.py`` writes what the code prints now into the
documents' output blocks.
"""

import contextlib
import io
import math
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ["README.md", "docs/user_guide.rst"]
#: A printed number matches a documented one within this share of it ...
RTOL = 0.01
#: ... or within this much, whichever is larger.
ATOL = 0.01

NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|\bnan\b|\binf\b")
MARKDOWN = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
RST = re.compile(r"^\.\. code-block:: (\w+)\n\n((?:(?:[ ]{3,}.*)?\n)+)", re.M)


@dataclass
class Block:
    code: str
    line: int
    output: str | None = None
    # Where the output block's text lies in the document, and its indent.
    span: tuple[int, int] | None = None
    indent: str = ""


def _fences(text, path):
    """(language, code, line, span, indent) of every code block, in order."""
    if path.suffix == ".md":
        for match in MARKDOWN.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            yield match[1], match[2], line, match.span(2), ""
    else:
        for match in RST.finditer(text):
            body = match[2].rstrip("\n") + "\n"
            indent = re.match(r"[ ]*", body)[0]
            line = text.count("\n", 0, match.start()) + 1
            span = (match.start(2), match.start(2) + len(body))
            yield match[1], textwrap.dedent(body), line, span, indent


def python_blocks(path):
    """The document's Python blocks, each with the text block after it, if the
    next block is one."""
    blocks = []
    for language, code, line, span, indent in _fences(path.read_text(), path):
        if language == "python":
            blocks.append(Block(code, line))
        elif language == "text" and blocks and blocks[-1].span is None:
            if blocks[-1].line < line:
                blocks[-1].output, blocks[-1].span, blocks[-1].indent = (
                    code,
                    span,
                    indent,
                )
    return blocks


def run_blocks(path):
    """What each Python block of the document prints, run in order."""
    namespace = {"__name__": "__main__"}
    printed = []
    for block in python_blocks(path):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block.code, f"{path.name}:{block.line}", "exec"), namespace)
        printed.append(out.getvalue())
    return printed


def _words(line):
    """The line's text between its numbers, whitespace aside."""
    return [part.split() for part in NUMBER.split(line)]


def differences(printed, documented):
    """One line per word or number of ``printed`` that differs from
    ``documented`` beyond the tolerance."""
    problems = []
    got, expected = printed.strip().splitlines(), documented.strip().splitlines()
    if len(got) != len(expected):
        problems.append(f"prints {len(got)} lines, the document shows {len(expected)}")
    for number, (line, want) in enumerate(zip(got, expected, strict=False), 1):
        if _words(line) != _words(want):
            problems.append(f"line {number} reads {line!r}, the document {want!r}")
            continue
        for value, documented_value in zip(
            NUMBER.findall(line), NUMBER.findall(want), strict=True
        ):
            x, y = float(value), float(documented_value)
            allowed = max(ATOL, RTOL * abs(y))
            if x == y or (math.isnan(x) and math.isnan(y)) or abs(x - y) <= allowed:
                continue
            problems.append(
                f"line {number}: prints {value} where the document says "
                f"{documented_value} (off by {x - y:+.4g}, allowed {allowed:.3g})"
            )
    return problems


@pytest.mark.parametrize("document", DOCUMENTS)
def test_python_blocks_print_what_the_document_says(document):
    path = ROOT / document
    blocks = python_blocks(path)
    assert blocks, f"{document} has no Python block"
    failures = []
    for block, printed in zip(blocks, run_blocks(path), strict=True):
        where = f"{document}, the Python block of line {block.line}"
        if block.output is None:
            if printed.strip():
                failures.append(f"{where} prints, but no text block follows it")
            continue
        problems = differences(printed, block.output)
        if problems:
            failures.append(
                f"{where}:\n  "
                + "\n  ".join(problems)
                + f"\n  It prints now:\n{textwrap.indent(printed, '    ')}"
            )
    assert not failures, "\n".join(failures) + (
        "\n(python tests/catalogues/test_doc_blocks.py writes the new output into "
        "the document)"
    )


def test_the_comparison_names_each_number_that_moved():
    documented = "rnn: k = 4 (capacity 5.50, 5.35)\n[4.000, 4.000] nan"
    assert (
        differences("rnn: k = 4 (capacity 5.52, 5.35)\n[4.000, 4.000] nan", documented)
        == []
    )
    assert differences(
        "rnn: k = 8 (capacity 5.70, 5.35)\n[4.000, 4.000] nan", documented
    ) == [
        "line 1: prints 8 where the document says 4 (off by +4, allowed 0.04)",
        "line 1: prints 5.70 where the document says 5.50 (off by +0.2, allowed 0.055)",
    ]
    assert differences("gru: k = 4 (capacity 5.50, 5.35)", documented) == [
        "prints 1 lines, the document shows 2",
        "line 1 reads 'gru: k = 4 (capacity 5.50, 5.35)', the document "
        "'rnn: k = 4 (capacity 5.50, 5.35)'",
    ]


def update(document):
    """Write what each Python block prints now into its output block."""
    path = ROOT / document
    text = path.read_text()
    blocks = python_blocks(path)
    # From the end, so that the earlier spans stay where they are.
    for block, printed in reversed(list(zip(blocks, run_blocks(path), strict=True))):
        if block.span is not None:
            start, end = block.span
            body = textwrap.indent(printed.rstrip("\n") + "\n", block.indent)
            text = text[:start] + body + text[end:]
    path.write_text(text)


if __name__ == "__main__":
    for document in sys.argv[1:] or DOCUMENTS:
        update(document)
        print(f"updated the output blocks of {document}")
