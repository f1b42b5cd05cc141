"""Every Python example of the README runs and prints what its comments quote.

A ``print(...)`` line of a README example may end with a comment that quotes
its output, for instance ``print(res.nfev, res.fun)  # 4681 6.0e-09``.  A
comment that holds a digit is such a quote: the whole comment, or the text
after one of its ``": "`` (``# the best point and its value: [3. 2.] 8.7e-16``),
must match what the line printed the first time it ran.  A comment without a
digit is a description and is not checked.

Matching goes token by token (numbers, words, single punctuation marks;
spaces do not count):

- a number written as an integer (``4681``, ``40``, ``0``) must be equal;
- another number matches within a relative tolerance of 5 %
  (:data:`RTOL`), except a tiny one (below :data:`TINY` in magnitude, such
  as ``8.7e-16``), which stands for "this order of magnitude or smaller" and
  matches any value at most :data:`TINY_FACTOR` times larger in magnitude;
- words and punctuation must be equal, so a message is checked word for word;
- a quote may start with ``about`` and join values with ``and``
  (``# about [1.5 1.5] and 1.0``); these words need not be printed.

The CuPy example runs only where a GPU is present.
"""

import ast
import builtins
import io
import math
import pathlib
import re
import sys
import tokenize

import pytest

from tests.conftest import cupy_available

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)

#: Relative tolerance of a quoted non-integer number.
RTOL = 0.05
#: Quoted numbers below this magnitude are orders of magnitude, not values.
TINY = 1e-12
#: A tiny quote matches values up to this many times its magnitude.
TINY_FACTOR = 10.0

#: Words a quote may open with to say that its values are approximate.
APPROXIMATE = ("about", "approximately", "roughly")
#: Words a quote may put between values without their being printed.
JOINERS = ("and",)

_TOKEN = re.compile(
    r"(?P<number>[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)\b)"
    r"|(?P<word>[A-Za-z_][A-Za-z_0-9']*)"
    r"|(?P<mark>\S)")


def tokens(text):
    """Split printed text or a quote into ``(kind, text)`` tokens.

    Parameters
    ----------
    text : str

    Returns
    -------
    list of tuple
        ``kind`` is ``'number'``, ``'word'`` or ``'mark'``.
    """
    return [(match.lastgroup, match.group()) for match in _TOKEN.finditer(text)]


def number_matches(quoted, printed):
    """Whether a printed number agrees with the quoted one (see the module doc).

    Parameters
    ----------
    quoted, printed : str
        The number as written in the quote and as printed.

    Returns
    -------
    bool
    """
    actual = float(printed)
    if re.fullmatch(r"[-+]?\d+", quoted):
        return actual == int(quoted)
    expected = float(quoted)
    if not (math.isfinite(expected) and math.isfinite(actual)):
        return str(expected) == str(actual)
    if abs(expected) < TINY:
        return abs(actual) <= TINY_FACTOR * max(abs(expected), sys.float_info.min)
    return abs(actual - expected) <= RTOL * abs(expected)


def quote_matches(quote, output):
    """Whether ``output`` is what ``quote`` says, token by token.

    Parameters
    ----------
    quote : str
        The quoted output, e.g. ``'[1. 1. 1.] 3.1e-17 completed 40 generations'``.
    output : str
        What the print wrote.

    Returns
    -------
    bool
    """
    expected, printed = tokens(quote), tokens(output)
    if expected and expected[0][0] == "word" and expected[0][1] in APPROXIMATE:
        expected = expected[1:]
    position = 0
    for kind, text in expected:
        here = printed[position] if position < len(printed) else None
        if kind == "word" and text in JOINERS and here != (kind, text):
            continue
        if here is None or here[0] != kind:
            return False
        if not (number_matches(text, here[1]) if kind == "number" else text == here[1]):
            return False
        position += 1
    return bool(expected) and position == len(printed)


def candidate_quotes(comment):
    """The readings of a comment as a quote: all of it, and what follows each ``': '``."""
    candidates = [comment]
    for match in re.finditer(r": ", comment):
        candidates.append(comment[match.end():])
    return candidates


def quoted_prints(code):
    """The ``print`` calls of ``code`` whose line ends with a comment that quotes output.

    Parameters
    ----------
    code : str
        Python source.

    Returns
    -------
    list of tuple
        ``(first_line, last_line, comment)`` per call, lines numbered from 1;
        the comment without its ``#``.
    """
    comments = {}
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.string.lstrip("#").strip()
    found = []
    for node in ast.walk(ast.parse(code)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id == "print"):
            for line in range(node.lineno, node.end_lineno + 1):
                comment = comments.get(line)
                if comment is not None and re.search(r"\d", comment):
                    found.append((node.lineno, node.end_lineno, comment))
    return sorted(found)


class PrintRecorder:
    """A ``print`` that also records what each line of one source file printed.

    Parameters
    ----------
    filename : str
        The name the source was compiled under.

    Attributes
    ----------
    lines : dict
        Line number -> list of the texts printed from that line, in order.
    """

    def __init__(self, filename):
        self.filename = filename
        self.lines = {}

    def __call__(self, *args, **kwargs):
        caller = sys._getframe(1)
        if caller.f_code.co_filename == self.filename and kwargs.get("file") is None:
            buffer = io.StringIO()
            builtins.print(*args, **{**kwargs, "file": buffer})
            self.lines.setdefault(caller.f_lineno, []).append(buffer.getvalue())
        builtins.print(*args, **kwargs)


def check_block(code, name="README block"):
    """Run one example and compare every quoted print with what it printed.

    Parameters
    ----------
    code : str
        The example's source.
    name : str, optional
        The file name it runs under (in tracebacks).

    Returns
    -------
    list of tuple
        ``(comment, printed or None)`` for each quote that does not match its
        output (``None``: the line never printed).  Empty when all match.
    """
    recorder = PrintRecorder(name)
    exec(compile(code, name, "exec"), {"__name__": "readme", "print": recorder})
    mismatches = []
    for first, last, comment in quoted_prints(code):
        printed = [text for line in range(first, last + 1) for text in recorder.lines.get(line, [])]
        if not printed:
            mismatches.append((comment, None))
            continue
        output = printed[0].strip()
        if not any(quote_matches(quote, output) for quote in candidate_quotes(comment)):
            mismatches.append((comment, output))
    return mismatches


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 4


def test_the_readme_quotes_outputs_to_check():
    assert sum(len(quoted_prints(code)) for code in BLOCKS) >= 5


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_readme_example_prints_what_it_quotes(index, capsys):
    code = BLOCKS[index]
    if 'backend="cupy"' in code and not cupy_available():
        pytest.skip("the CuPy example needs a GPU")
    name = f"README block {index}"
    mismatches = check_block(code, name)
    assert capsys.readouterr().out.strip() or "print(" not in code
    assert not mismatches, "\n".join(f"{name}: quoted {comment!r}, printed {output!r}"
                                      for comment, output in mismatches)


# -- the checker itself ---------------------------------------------------------------------

@pytest.mark.parametrize("quote, output", [
    ("[3. 2.] 8.7e-16", "[3. 2.] 6.173309864619469e-16"),
    ("[3. 2.] 8.7e-16", "[2.99999999 2.00000001] 0.0"),
    ("[1. 1. 1.] 3.1e-17 completed 40 generations",
     "[1. 1. 1.] 1.0480438745176086e-18 completed 40 generations"),
    ("about [1.5 1.5] and 1.0", "[1.49100725 1.50893125] 0.9996787779394926"),
    ("ftarget: reached 9.6404e-09 (target 1e-08)", "ftarget: reached 9.6404e-09 (target 1e-08)"),
    ("4681 6.0e-09", "4681 6.012829653597737e-09"),
    ("0", "0.0"),
])
def test_matching_quotes(quote, output):
    assert quote_matches(quote, output)


@pytest.mark.parametrize("quote, output", [
    ("[3. 2.] 8.7e-16", "[ 3.58442834 -1.84812653] 1.271642867804625e-16"),  # another point
    ("[3. 2.] 8.7e-16", "[3. 2.] 2.1e-14"),  # tiny, but over an order of magnitude larger
    ("4681 6.0e-09", "4682 6.0e-09"),  # integers are exact
    ("4681 6.0e-09", "4681 6.4e-09"),  # 7 % off
    ("completed 40 generations", "completed 41 generations"),
    ("ftarget: reached 9.6404e-09 (target 1e-08)", "tolfun: reached 9.6404e-09 (target 1e-08)"),
    ("[1. 1. 1.] 3.1e-17", "[1. 1.] 3.1e-17"),  # a value missing
    ("[1. 1.]", "[1. 1.] 3.1e-17"),  # a value too many
    ("about 1.0", "-1.0"),
    ("0", "3e-13"),  # an integer, so exact
])
def test_mismatching_quotes(quote, output):
    assert not quote_matches(quote, output)


def test_a_description_with_a_colon_before_the_quote():
    assert candidate_quotes("the best point and its value: [3. 2.] 8.7e-16")[-1] == (
        "[3. 2.] 8.7e-16")
    assert quoted_prints("print(1)  # objective evaluations, generations\n") == []


def test_a_wrong_quote_in_a_readme_block_fails():
    code = next(block for block in BLOCKS if "4.7e3" in block)
    assert check_block(code) == []
    wrong = code.replace("# about 4.7e3", "# about 3.7e3")
    assert [comment for comment, _ in check_block(wrong)] == ["about 3.7e3 True"]


def test_quotes_of_loops_and_unrun_lines():
    code = ("for k in range(3):\n"
            "    print('step', k)  # step 0\n"
            "if False:\n"
            "    print(2.0)  # 2.0\n"
            "print(\n"
            "    0.5, 'x')  # 0.5 y\n")
    assert check_block(code) == [("2.0", None), ("0.5 y", "0.5 x")]
