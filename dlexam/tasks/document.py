"""A task's text as a few kinds of block, rendered to text, Markdown, HTML, LaTeX or Typst.

Families describe *what* a task says (paragraphs, code, maths, options); this module
decides how each format shows it. Inside a `Text`, `backticks` mark inline code.
"""

from __future__ import annotations

import html
import re
import string
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Code:
    source: str
    language: str = "python"


@dataclass(frozen=True)
class Math:
    latex: str
    plain: str


@dataclass(frozen=True)
class Options:
    items: tuple[str, ...]
    multiple: bool


Block = Text | Code | Math | Options

LABELS = string.ascii_lowercase


def option_label(index: int) -> str:
    return LABELS[index]


def render(blocks: list[Block], fmt: str) -> str:
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        from dlexam.errors import InputError
        raise InputError(f"Unknown format {fmt!r}; choose one of {', '.join(_RENDERERS)}.") from None
    return "\n\n".join(renderer(block) for block in blocks) + "\n"


def _inline(text: str, escape, code) -> str:
    """Apply `escape` to plain runs and `code` to `backtick` runs."""
    parts = re.split(r"`([^`]*)`", text)
    return "".join(code(p) if i % 2 else escape(p) for i, p in enumerate(parts))


def _choice_hint(block: Options) -> str:
    return "Select all that apply." if block.multiple else "Select one."


# --- text ---------------------------------------------------------------------------

def _text(block: Block) -> str:
    match block:
        case Text(text):
            return text.replace("`", "")
        case Code(source):
            return "\n".join("    " + line for line in source.splitlines())
        case Math(_, plain):
            return "    " + plain
        case Options(items, _):
            lines = [f"  {option_label(i)}) {item.replace('`', '')}" for i, item in enumerate(items)]
            return "\n".join([_choice_hint(block), *lines])
    raise TypeError(block)


# --- Markdown -------------------------------------------------------------------------

def _md_escape(text: str) -> str:
    return re.sub(r"([\\*_\[\]<>#|])", r"\\\1", text)


def _md_inline(text: str) -> str:
    return _inline(text, _md_escape, lambda c: f"`{c}`")


def _markdown(block: Block) -> str:
    match block:
        case Text(text):
            return _md_inline(text)
        case Code(source, language):
            return f"```{language}\n{source}\n```"
        case Math(latex, _):
            return f"$$\n{latex}\n$$"
        case Options(items, multiple):
            box = "[ ]" if multiple else "( )"
            lines = [f"- {box} **{option_label(i)})** {_md_inline(it)}" for i, it in enumerate(items)]
            return "\n".join([f"*{_choice_hint(block)}*", "", *lines])
    raise TypeError(block)


# --- HTML -------------------------------------------------------------------------------

def _html_inline(text: str) -> str:
    return _inline(text, html.escape, lambda c: f"<code>{html.escape(c)}</code>")


def _html(block: Block) -> str:
    match block:
        case Text(text):
            return f"<p>{_html_inline(text)}</p>"
        case Code(source, language):
            return f'<pre><code class="language-{language}">{html.escape(source)}</code></pre>'
        case Math(latex, _):
            return f'<div class="math">\\[{html.escape(latex)}\\]</div>'
        case Options(items, multiple):
            kind = "checkbox" if multiple else "radio"
            rows = "".join(
                f'<li><label><input type="{kind}" name="answer" value="{option_label(i)}"> '
                f"{_html_inline(it)}</label></li>" for i, it in enumerate(items))
            return f'<p><em>{_choice_hint(block)}</em></p><ol type="a">{rows}</ol>'
    raise TypeError(block)


# --- LaTeX ------------------------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
    "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
    "<": r"\textless{}", ">": r"\textgreater{}",
}


def _latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _latex_inline(text: str) -> str:
    return _inline(text, _latex_escape, lambda c: r"\texttt{" + _latex_escape(c) + "}")


def _latex(block: Block) -> str:
    match block:
        case Text(text):
            return _latex_inline(text)
        case Code(source, _):
            return "\\begin{verbatim}\n" + source + "\n\\end{verbatim}"
        case Math(latex, _):
            return f"\\[\n{latex}\n\\]"
        case Options(items, _):
            box = r"$\square$" if block.multiple else r"$\bigcirc$"
            rows = "\n".join(f"  \\item[{box} {option_label(i)})] {_latex_inline(it)}"
                             for i, it in enumerate(items))
            return f"\\emph{{{_choice_hint(block)}}}\n\\begin{{itemize}}\n{rows}\n\\end{{itemize}}"
    raise TypeError(block)


# --- Typst ------------------------------------------------------------------------------
# Typst's maths is not LaTeX: `latex_to_typst` converts the LaTeX the families write, and
# `plain_to_typst` the plain formulas of `Code(language="text")` blocks (one equation a line),
# which Typst shows as display maths too. Multi-letter names become upright text or operators,
# `x1` becomes x₁, so nothing reaches Typst as an unknown variable.

TYPST_OPS = frozenset("max min exp log ln sin cos tan tanh sinh cosh arg lim sup inf det".split())
GREEK = frozenset("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
                  "sigma tau phi chi psi omega Gamma Delta Theta Lambda Pi Sigma Phi Psi Omega".split())
LATEX_WORDS = {
    "quad": "quad", "qquad": "wide", ",": "thin", ":": "med", ";": "thick", "!": "", " ": "space",
    "wedge": "and", "land": "and", "vee": "or", "lor": "or", "cdot": "dot", "times": "times",
    "le": "<=", "leq": "<=", "ge": ">=", "geq": ">=", "ne": "!=", "neq": "!=", "to": "->",
    "rightarrow": "->", "Rightarrow": "=>", "infty": "infinity", "pm": "plus.minus", "partial": "partial",
    "nabla": "nabla", "sum": "sum", "prod": "product", "in": "in", "approx": "approx",
    "lVert": "||", "rVert": "||", "|": "||", "lvert": "|", "rvert": "|", "varepsilon": "epsilon.alt",
    "left": "", "right": "", "{": "\\{", "}": "\\}", "ldots": "dots", "dots": "dots", "cdots": "dots.c",
}
_LATEX_TOKEN = re.compile(r"\\([A-Za-z]+|.)|(\d+(?:\.\d+)?)|([A-Za-z])|(\s+)|(.)", re.S)


def _typst_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def latex_to_typst(latex: str) -> str:
    """Typst maths for the LaTeX the families write (\\text, \\frac, \\sqrt, _ ^ with braces, spacing,
    greek, \\max-like operators, norms, relations); raises ValueError on an unbalanced brace."""
    tokens = [m for m in _LATEX_TOKEN.finditer(latex) if not m.group(4)]
    out, pos = _latex_group(tokens, 0, latex)
    if pos != len(tokens):
        raise ValueError(f"unbalanced braces in {latex!r}")
    return out


def _latex_group(tokens: list, pos: int, source: str, until_close: bool = False) -> tuple[str, int]:
    parts: list[str] = []
    while pos < len(tokens):
        m = tokens[pos]
        if m.group(5) == "}" and until_close:
            return " ".join(p for p in parts if p), pos + 1
        text, pos = _latex_atom(tokens, pos, source)
        if text.startswith(("_", "^")) and parts:
            parts[-1] += text
        else:
            parts.append(text)
    if until_close:
        raise ValueError(f"unbalanced braces in {source!r}")
    return " ".join(p for p in parts if p), pos


def _latex_argument(tokens: list, pos: int, source: str) -> tuple[str, int]:
    """One argument: a {group} or a single token."""
    if pos < len(tokens) and tokens[pos].group(5) == "{":
        return _latex_group(tokens, pos + 1, source, until_close=True)
    if pos >= len(tokens):
        raise ValueError(f"a command lacks its argument in {source!r}")
    return _latex_atom(tokens, pos, source)


def _latex_atom(tokens: list, pos: int, source: str) -> tuple[str, int]:
    command, number, letter, _, other = tokens[pos].groups()
    pos += 1
    if command is not None:
        return _latex_command(command, tokens, pos, source)
    if number or letter:
        return number or letter, pos
    if other in "_^":
        arg, pos = _latex_argument(tokens, pos, source)
        return f"{other}({arg})", pos
    if other == "{":
        return _latex_group(tokens, pos, source, until_close=True)
    return _typst_symbol(other), pos


def _latex_command(name: str, tokens: list, pos: int, source: str) -> tuple[str, int]:
    if name in ("text", "mathrm", "textrm", "operatorname"):
        braced = pos < len(tokens) and tokens[pos].group(5) == "{"
        start = pos + 1
        arg, pos = _latex_argument(tokens, pos, source)
        raw = source[tokens[start].start():tokens[pos - 1].start()] if braced and start < pos else arg
        return (f"op({_typst_text(raw)})" if name == "operatorname" else _typst_text(raw)), pos
    if name in ("frac", "dfrac"):
        top, pos = _latex_argument(tokens, pos, source)
        bottom, pos = _latex_argument(tokens, pos, source)
        return f"({top})/({bottom})", pos
    if name in ("sqrt", "mathbf", "boldsymbol", "hat", "bar", "tilde", "vec"):
        arg, pos = _latex_argument(tokens, pos, source)
        call = {"mathbf": "bold", "boldsymbol": "bold", "bar": "overline", "vec": "arrow"}.get(name, name)
        return f"{call}({arg})", pos
    if name in LATEX_WORDS:
        return LATEX_WORDS[name], pos
    if name in TYPST_OPS or name in GREEK:
        return name, pos
    return f"op({_typst_text(name)})", pos


def _typst_symbol(char: str) -> str:
    """One character in Typst maths: slashes stay slashes, Typst's markup characters are escaped,
    the middle dot (a letter to Typst) becomes `dot`."""
    return {"/": "\\/", "·": "dot", "*": "dot", "~": "space", '"': '\\"', "#": "\\#", "$": "\\$",
            "\\": "\\\\", "&": "\\&", "@": "\\@"}.get(char, char)


_PLAIN_TOKEN = re.compile(r"(\*\*)|([^\W\d_]+)(\d*)|(\d+(?:\.\d+)?)|( {2,})|(\s)|(.)")


def plain_to_typst(plain: str) -> str:
    """Typst maths for a formula written as people type it: `h1 = tanh(x1·w + h0)`, `E = (y − t)²`,
    `abs(x1 − c11)`, `||w||_1`, `a -> b`; names with digits get subscripts, unknown words are
    operators before a bracket and upright text otherwise."""
    out: list[str] = []
    for m in _PLAIN_TOKEN.finditer(plain):
        power, word, digits, number, wide, _, other = m.groups()
        if power:
            other = "^"
        if word:
            out.append(_plain_word(word, digits, plain[m.end():m.end() + 1] == "(", out))
        elif number:
            out.append(number)
        elif wide:
            out.append(" quad ")
        elif other in ("_", "^") and out:
            out[-1] = out[-1].rstrip()
            out.append(other)
        elif other:
            out.append(_typst_symbol(other) if other != "·" else " dot ")
        else:
            out.append(" ")
    return "".join(out).strip()


def _plain_word(word: str, digits: str, call: bool, before: list[str]) -> str:
    subscript = f"_({digits})" if digits else ""
    if before and before[-1] == "_":
        return "(" + " ".join(word) + ")" + digits      # x_ij: the letters i and j
    if word == "Σ":
        name = "sum"
    elif len(word) == 1 or word in GREEK:
        name = word
    elif word in TYPST_OPS or word == "abs" and call:     # abs(...): Typst's |...|
        name = word
    else:
        name = f"op({_typst_text(word)})" if call else _typst_text(word)
    return f" {name}{subscript}" + ("" if call else " ")    # a call keeps its bracket attached


def _typst_escape(text: str) -> str:
    return re.sub(r"([\\*_`$#@<>\[\]~/=+-])", r"\\\1", text)


def _typst_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _typst_inline(text: str) -> str:
    return _inline(text, _typst_escape, lambda c: f"#raw({_typst_string(c)})")


def typst_formulas(source: str) -> str:
    """A `Code(language="text")` block of equations, one display formula a line."""
    lines = [plain_to_typst(line) for line in source.splitlines() if line.strip()]
    aligned = [line.replace(" = ", " &= ", 1) if len(lines) > 1 else line for line in lines]
    return "$ " + " \\\n".join(aligned) + " $" + _typst_comment(source)


def _typst_comment(plain: str) -> str:
    """The formula as typed, kept in the Typst source (not shown) for readers and searches."""
    return " /* " + plain.replace("*/", "* /").replace("/*", "/ *").replace("\n", "; ") + " */"


def _typst(block: Block) -> str:
    match block:
        case Text(text):
            return _typst_inline(text)
        case Code(source, "text"):
            return typst_formulas(source)
        case Code(source, language):
            return f"#raw(block: true, lang: {_typst_string(language)}, {_typst_string(source)})"
        case Math(latex, plain):
            return f"$ {latex_to_typst(latex)} $" + _typst_comment(plain)
        case Options(items, _):
            rows = ", ".join(f"[{_typst_inline(it)}]" for it in items)
            return f"_{_choice_hint(block)}_\n#enum(numbering: \"a)\", {rows})"
    raise TypeError(block)


_RENDERERS = {"text": _text, "markdown": _markdown, "html": _html, "latex": _latex, "typst": _typst}
