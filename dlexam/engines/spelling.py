"""How people spell formulas, rewritten as Python expression text (never evaluated).

Two stages: LaTeX-ish and Unicode spellings become plain ASCII (`clean_text`), then a
tokenizer writes out the multiplications people leave out (`2x`, `2(y - t)`, `(a)(b)`, `wx1`
for declared w and x1) and turns primes into Python names (`to_python`). `notation` parses
the result with `ast` and a whitelist.
"""

from __future__ import annotations

import re

from dlexam.engines.bounded import check_text
from dlexam.engines.functions import CONSTANTS, INDICATOR, LETTER_FUNCTIONS, SPECIAL, canonical
from dlexam.errors import InputError

# ---------------------------------------------------------------- text clean-up

_UNICODE = {
    "·": "*", "⋅": "*", "×": "*", "∗": "*", "−": "-", "–": "-", "′": "'", "’": "'", "ʹ": "'",
    "²": "^2", "³": "^3", "σ": "sigma", "θ": "theta", "δ": "delta", "η": "eta", "λ": "lambda_",
    "α": "alpha", "β": "beta", "γ": "gamma_", "ω": "omega", "ε": "epsilon", "∑": "sum", "√": "sqrt",
    "≤": "<=", "⩽": "<=", "≥": ">=", "⩾": ">=", "≠": "!=", "∧": " and ", "∨": " or ", "¬": " not ",
    "𝟙": "1", "𝕀": "1",
}
_LATEX_LOGIC = [  # before the indicators are found: \mathbb{1}[y t \le 0]
    (r"\\(?:mathbb|mathds|mathbf|boldsymbol)\s*\{?\s*[1I]\s*\}?", "1"), (r"\\(?:leqslant|leq|le)\b", "<="),
    (r"\\(?:geqslant|geq|ge)\b", ">="), (r"\\lt\b", "<"), (r"\\gt\b", ">"), (r"\\(?:neq|ne)\b", "!="),
    (r"\\(?:land|wedge)\b", " and "), (r"\\(?:lor|vee)\b", " or "), (r"\\(?:lnot|neg)\b", " not "),
    (r"\\text\s*\{\s*(if|else|and|or|not)\s*\}", r" \1 "), (r"\\([{}])", r"\1"),
]
KEYWORDS = {"if", "else", "and", "or", "not"}  # Python's conditional expression and conditions


def _closing(text: str, pos: int) -> int:
    """The index of the bracket closing the one at `pos` (any of ( [ {), or -1."""
    depth = 0
    for i in range(pos, len(text)):
        depth += 1 if text[i] in "([{" else -1 if text[i] in ")]}" else 0
        if depth == 0:
            return i
    return -1


def _replace_braced(text: str, command: str, arity: int, build) -> str:
    """Replace `\\command{a}{b}` (balanced braces) by build(a, b)."""
    while True:
        start = text.find(command)
        if start < 0:
            return text
        pos, groups = start + len(command), []
        for _ in range(arity):
            while pos < len(text) and text[pos] == " ":
                pos += 1
            if pos >= len(text) or text[pos] != "{":
                raise InputError(f"{command} needs {arity} braced argument(s), as in \\frac{{a}}{{b}}.")
            end = _closing(text, pos)
            if end < 0:
                raise InputError("Unbalanced braces in the LaTeX input.")
            groups.append(text[pos + 1:end])
            pos = end + 1
        text = text[:start] + build(*groups) + text[pos:]


_INDICATOR_START = re.compile(r"(?<![\w.])1\s*_?\s*(?=[\[{(])|\[")
_COMPARES = re.compile(r"[<>]|[=!]=")


def _indicators(text: str) -> str:
    """1[cond], 1_{cond}, 1(cond), 𝟙{cond} and Iverson's [cond] -> __indicator(cond).

    Only a bracket holding a comparison is an indicator: 1(x + 1) and [x + 1] stay products.
    """
    pos = 0
    while m := _INDICATOR_START.search(text, pos):
        bracket = m.start() if m.group() == "[" else m.end()
        end = _closing(text, bracket)
        inner = text[bracket + 1:end]
        if end < 0 or not _COMPARES.search(inner):
            pos = m.start() + 1
            continue
        text = f"{text[:m.start()]} {INDICATOR}({inner}) {text[end + 1:]}"
        pos = m.start() + len(INDICATOR) + 2  # indicators inside the condition are read too
    return text


def clean_text(text: str) -> str:
    """LaTeX-ish and Unicode spellings to plain ASCII: \\frac, \\cdot, \\tanh, x_{1}, e^{x}."""
    check_text(text)
    for a, b in _UNICODE.items():
        text = text.replace(a, b)
    if "\\" in text:
        for pattern, replacement in _LATEX_LOGIC:
            text = re.sub(pattern, replacement, text)
    text = _indicators(text)
    text = re.sub(r"\\(\||[lr]vert\b|mid\b)", "|", text)
    text = re.sub(r"\|([^|]+)\|", r"abs(\1)", text)  # |u| (not nested)
    if "\\" in text or "{" in text or "$" in text:
        text = text.replace("$", "")
        text = re.sub(r"\\(left|right|big|Big|bigg|Bigg)\b", "", text)
        text = re.sub(r"\\[,;:! ]", " ", text)
        text = re.sub(r"\\(cdot|times|ast)\b", "*", text)
        text = re.sub(r"\\operatorname\{(\w+)\}", r"\1", text)
        text = re.sub(r"\\mathrm\{(\w+)\}", r"\1", text)
        text = _replace_braced(text, "\\frac", 2, lambda a, b: f"(({a})/({b}))")
        text = _replace_braced(text, "\\dfrac", 2, lambda a, b: f"(({a})/({b}))")
        text = _replace_braced(text, "\\sqrt", 1, lambda a: f"sqrt({a})")
        text = re.sub(r"\\([A-Za-z]+)", r"\1", text)
        text = re.sub(r"_\{\s*(\w+)\s*\}", r"_\1", text)
        text = text.replace("{", "(").replace("}", ")")
    return text


# ---------------------------------------------------------------- tokens

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+(?![A-Za-z_]))?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*(?:'+(?:_\d+)*)?)
  | (?P<op>\*\*|\^|[<>=!]=|[-+*/(),=<>\[\]])
""", re.VERBOSE)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            raise InputError(f"Unexpected character {text[pos]!r} in {text.strip()!r}.")
        pos = m.end()
        kind = m.lastgroup
        if kind == "space":
            continue
        value = m.group()
        if kind == "name" and value in KEYWORDS:
            kind = "keyword"
        elif kind == "name":
            value = _normal_name(value)
        elif value == "^":
            value = "**"
        elif value in "[]":
            value = "(" if value == "[" else ")"
        tokens.append((kind, value))
    return tokens


def _normal_name(name: str) -> str:
    """x_1 -> x1 (students and sheets write both); primes and other underscores stay."""
    head, primes = re.match(r"([A-Za-z_0-9]*)(.*)", name).groups()
    head = re.sub(r"(?<=[A-Za-z])_(\d+)$", r"\1", head)
    if head == "lambda":
        head += "_"  # a weight decay, not Python's lambda
    if "__" in head and head != INDICATOR:
        raise InputError(f"Names with a double underscore such as {name!r} are not allowed.")
    return head + primes


def _split_name(name: str, variables: frozenset[str]) -> list[str] | None:
    """Split `wx1` into ['w', 'x1'] when every part is a declared variable."""
    if not variables or name in variables:
        return None
    longest = max(map(len, variables))
    best: dict[int, int] = {0: 0}   # end of a split prefix -> start of its last part
    for end in range(1, len(name) + 1):
        for start in range(max(0, end - longest), end):   # only parts as long as a variable
            if start in best and name[start:end] in variables:
                best[end] = start
                break
    if len(name) not in best:
        return None
    parts, end = [], len(name)
    while end:
        parts.append(name[best[end]:end])
        end = best[end]
    return parts[::-1]


def _is_function_name(name: str, plain: frozenset[str]) -> bool:
    """Is `name(` a call? Known functions always (H and σ unless used as plain variables too);
    other names unless used as plain variables."""
    if "'" in name or name in SPECIAL or (canonical(name) and name not in LETTER_FUNCTIONS):
        return True
    return name not in plain


def plain_names(text: str) -> set[str]:
    """Names used somewhere without a following `(`: these are variables, not functions."""
    tokens = tokenize(clean_text(text))
    names = set()
    for i, (kind, value) in enumerate(tokens):
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else None
        if kind == "name" and nxt != "(":
            names.add(value)
    return names


def to_python(text: str, variables: frozenset[str] = frozenset(),
              plain: frozenset[str] = frozenset()) -> str:
    """Student text -> Python expression text, with the implicit multiplications written out."""
    tokens = _power_of_function(tokenize(clean_text(text)))
    out: list[tuple[str, str]] = []
    for i, (kind, value) in enumerate(tokens):
        nxt = tokens[i + 1][1] if i + 1 < len(tokens) else None
        if kind == "name" and value == "e" and nxt == "**" and "e" not in variables:
            value = "E_euler"  # e^x is Euler's number unless e is a declared variable
        splittable = kind == "name" and "'" not in value and nxt != "(" and canonical(value) is None \
            and value not in SPECIAL and value not in CONSTANTS
        parts = _split_name(value, variables) if splittable else None
        for part in parts or [value]:
            if out and _implicit_product(out[-1], (kind, part), plain | variables):
                out.append(("op", "*"))
            out.append((kind, part))
    _check_brackets(text, [v for _, v in out])
    return " ".join(_python_name(v) if k == "name" else v for k, v in out)


def _power_of_function(tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """tanh^2(z) -> (tanh(z))**2, as in LaTeX's \\tanh^2(z)."""
    i = 0
    while i + 3 < len(tokens):
        (k, f), (_, op), (nk, n), (_, br) = tokens[i:i + 4]
        if k == "name" and canonical(f) and op == "**" and nk == "number" and br == "(":
            depth, j = 0, i + 3
            for j in range(i + 3, len(tokens)):
                depth += {"(": 1, ")": -1}.get(tokens[j][1], 0)
                if depth == 0:
                    break
            call = [tokens[i]] + tokens[i + 3:j + 1]
            tokens = tokens[:i] + [("op", "(")] + call + [("op", ")"), ("op", "**"), (nk, n)] + tokens[j + 1:]
        i += 1
    return tokens


def _implicit_product(left: tuple[str, str], right: tuple[str, str], plain: frozenset[str]) -> bool:
    lk, lv = left
    rk, rv = right
    left_ends = lk in ("number", "name") or lv == ")"
    right_starts = rk in ("number", "name") or rv == "("
    if not (left_ends and right_starts):
        return False
    if lk == "name" and rv == "(":
        return not _is_function_name(lv, plain)
    if lk == "number" and rk == "number":
        return False
    return True


def _check_brackets(text: str, values: list[str]) -> None:
    depth = 0
    for v in values:
        depth += {"(": 1, ")": -1}.get(v, 0)
        if depth < 0:
            break
    if depth:
        raise InputError(f"Unbalanced brackets in {text.strip()!r}.")


def _python_name(name: str) -> str:
    """Primes are not Python: g'_2 -> g__p1_s2 (double underscores are reserved for this)."""
    if "'" not in name:
        return name
    m = re.fullmatch(r"(\w+?)('+)((?:_\d+)*)", name)
    slots = "".join(f"_s{s}" for s in m.group(3).split("_") if s)
    return f"{m.group(1)}__p{len(m.group(2))}{slots}"
