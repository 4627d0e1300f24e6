"""Defaults quoted in the documentation are the estimators' defaults.

The defaults are read from the estimators' signatures when the test runs, so
a changed default fails here until every page that quotes it is updated.
Claims are found in the README, the documentation pages, the examples and
the estimators' own docstrings, in the forms the documentation uses:

* ``name=value`` (the default) / , the default / , on by default;
* ``name`` (default ``value``) / ``name`` (``value`` by default);
* ``name=other`` (the default is value / (sksequence's default is value;
* on by default (``name=value``, ``name=value``);
* ``value`` for classifiers / ``value`` for regressors (the learning rate);
* numpydoc's ``name : type, default=value``;
* the README's "Defaults" paragraph and the table of the Defaults page.

Markdown's single backticks count as rST's double ones.
"""

import ast
import inspect
import re
from pathlib import Path

import pytest
from shared_settings import CLASSIFIERS, REGRESSORS

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").rglob("*.rst"),
        *(ROOT / "examples").glob("*.py"),
    ]
)
PAGES = [p for p in PAGES if "_build" not in p.parts and "auto_examples" not in p.parts]
PAGES = [p for p in PAGES if "generated" not in p.parts and p.name != "_api_list.rst"]


def _defaults(classes):
    """``{name: {default, ...}}`` over the signatures of ``classes``."""
    found = {}
    for cls in classes:
        for name, param in inspect.signature(cls).parameters.items():
            if param.default is not inspect.Parameter.empty:
                found.setdefault(name, set()).add(_key(param.default))
    return found


def _key(value):
    """Hashable, comparable form of a default (1e-2 == 0.01, "auto")."""
    return repr(value)


ALL = _defaults(CLASSIFIERS + REGRESSORS)
FAMILY = {"classifiers": _defaults(CLASSIFIERS), "regressors": _defaults(REGRESSORS)}

Q = r"`{1,2}"  # rST ``literal`` or Markdown `code`
VALUE = r"[^`]+"
NAME = r"[a-z_]+"
FORMS = [
    # ``name=value`` (the default) / , the default / , on by default
    re.compile(
        rf"{Q}(?P<name>{NAME})=(?P<value>{VALUE}){Q}"
        r"(?:\s+\(the\s+default\)|,\s+the\s+default\b|,\s+on\s+by\s+default|"
        r"\s+\(default\))"
    ),
    # ``name`` (default ``value``) / ``name`` (``value`` by default)
    re.compile(
        rf"{Q}(?P<name>{NAME}){Q}\s+\((?:default\s+{Q}(?P<value>{VALUE}){Q}|"
        rf"{Q}(?P<value2>{VALUE}){Q}\s+by\s+default)"
    ),
    # ``name=other`` (the default is value / (sksequence's default is value
    re.compile(
        rf"{Q}(?P<name>{NAME})={VALUE}{Q}\s+\((?:the|sksequence's)\s+default\s+is\s+"
        r"(?P<value>[\w.+-]+|\"\w+\")"
    ),
]
# on by default (``name=value``, ``name=value``)
ON_BY_DEFAULT = re.compile(r"[Oo]n\s+by\s+default\s+\(([^)]*)\)")
ASSIGNMENT = re.compile(rf"{Q}(?P<name>{NAME})=(?P<value>{VALUE}){Q}")
# ``1e-2`` for classifiers, `lr=3e-3` for regressors
FAMILY_LR = re.compile(
    rf"{Q}(?:lr=)?(?P<value>[0-9.e+-]+){Q}\s+for\s+(?P<family>classifiers|regressors)"
)


def _literal(text):
    text = text.strip()
    try:
        return _key(ast.literal_eval(text))
    except (ValueError, SyntaxError):
        return _key(text)  # a bare word, e.g. auto


def _claims(text):
    """``(name, value, family, excerpt)`` for every default claimed in text."""
    for form in FORMS:
        for m in form.finditer(text):
            value = m.group("value") or m.groupdict().get("value2")
            yield m.group("name"), value, None, m.group(0)
    for m in ON_BY_DEFAULT.finditer(text):
        for a in ASSIGNMENT.finditer(m.group(1)):
            yield a.group("name"), a.group("value"), None, m.group(0)
    for m in FAMILY_LR.finditer(text):
        yield "lr", m.group("value"), m.group("family"), m.group(0)


def _readme_defaults_paragraph():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("* **Defaults**")
    return readme[start : readme.index("\n* ", start + 1)]


def _defaults_table():
    """``(names, first value)`` per row of the Defaults page's list-table."""
    page = (ROOT / "docs" / "user_guide" / "defaults.rst").read_text(encoding="utf-8")
    table = page[page.index("The defaults\n") : page.index("\nHow the defaults were")]
    rows = re.findall(r"\* - (.+?)\n     - (.+?)\n", table)
    return [(re.findall(r"``(\w+)``", names), text) for names, text in rows]


def _check(name, value, family, where):
    defaults = FAMILY[family] if family else ALL
    assert name in defaults, f"{where}: {name!r} is not an estimator parameter"
    assert _literal(value) in defaults[name], (
        f"{where}: says the default of {name} is {value}; "
        f"the signatures say {sorted(defaults[name])}"
    )


def _all_claims():
    claims = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for name, value, family, excerpt in _claims(text):
            claims.append((name, value, family, f"{page.relative_to(ROOT)}: {excerpt}"))
    return claims


def test_defaults_quoted_in_prose():
    claims = _all_claims()
    # the forms above must keep finding the documentation's claims
    assert len(claims) >= 10, claims
    for name, value, family, where in claims:
        _check(name, value, family, where)


def test_readme_defaults_paragraph():
    paragraph = _readme_defaults_paragraph()
    family_values = {m.group(0) for m in FAMILY_LR.finditer(paragraph)}
    checked = 0
    for m in ASSIGNMENT.finditer(paragraph):
        if any(m.group(0) in claim for claim in family_values):
            continue  # `lr=1e-2` for classifiers: checked per family below
        _check(m.group("name"), m.group("value"), None, "README Defaults")
        checked += 1
    for m in FAMILY_LR.finditer(paragraph):
        _check("lr", m.group("value"), m.group("family"), "README Defaults")
        checked += 1
    assert checked >= 6


@pytest.mark.parametrize(
    "names, text",
    _defaults_table(),
    ids=[",".join(names) for names, _ in _defaults_table()],
)
def test_defaults_page_table(names, text):
    """The first value in each row is the default of its first parameter."""
    if not names:  # "initialization": no parameter
        return
    per_family = list(FAMILY_LR.finditer(text))  # "1e-2 for classifiers, ..."
    if names[0] == "lr" and per_family:
        for m in per_family:
            _check("lr", m.group("value"), m.group("family"), "Defaults page")
        return
    first = re.match(r"(?:``)?(\"?[\w.+-]+\"?)", text).group(1)
    if first in ("On", "Off"):
        first = repr(first == "On")
    _check(names[0], first, None, "Defaults page")
    if "validation_fraction" in names:  # "on the last 20 % of the samples"
        percent = re.search(r"(\d+) ?%", text).group(1)
        _check("validation_fraction", str(int(percent) / 100), None, "Defaults page")


@pytest.mark.parametrize("cls", CLASSIFIERS + REGRESSORS, ids=lambda cls: cls.__name__)
def test_docstring_defaults(cls):
    """numpydoc's ``name : type, default=value`` matches the signature."""
    documented = dict(
        re.findall(r"^ {4}(\w+) : .*?default=(.+)$", cls.__doc__, flags=re.M)
    )
    signature = inspect.signature(cls).parameters
    assert set(documented) == set(signature), "parameters without a documented default"
    family = "classifiers" if cls in CLASSIFIERS else "regressors"
    for name, value in documented.items():
        expected = _key(signature[name].default)
        # "default=1e-2 for classifiers, 3e-3 for regressors": this family's
        per_family = re.findall(r"([^\s,]+) for (classifiers|regressors)", value)
        if per_family:
            value = dict((f, v) for v, f in per_family)[family]
        assert _literal(value) == expected, (
            f"{cls.__name__}: docstring says {name} default={value}, "
            f"the signature {expected}"
        )


def test_tuning_constants_quoted_in_the_docs():
    """The values of ``sksequence._constants`` that the docs spell out."""
    from sksequence import _constants as c
    from sksequence._base import SHARED_PARAMETERS_DOC

    doc = " ".join(SHARED_PARAMETERS_DOC.split())
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    defaults = (ROOT / "docs" / "user_guide" / "defaults.rst").read_text("utf-8")
    defaults = " ".join(defaults.split())
    epochs, steps = c.AUTO_PATIENCE_EPOCHS, c.AUTO_PATIENCE_STEPS
    assert f"waits {epochs} epochs, or as many epochs as make {steps}" in doc
    assert f"({epochs} epochs, but never fewer than {steps} optimizer" in readme
    assert f"after {epochs} epochs without improvement" in defaults
    assert f"as many epochs as make {steps} optimizer steps" in defaults
    for text in (doc, defaults):
        assert f"ceil(n_timesteps / {c.AUTO_PATCH_STEPS})" in text
    assert f"about {c.AUTO_PATCH_STEPS} steps" in readme
    assert f"would have at least {c.AUTO_MIN_HOLDOUT} samples" in doc
    assert f"hold at least {c.AUTO_MIN_HOLDOUT} samples" in defaults
    # instance_norm's fitted floor: "a thousandth ... at most 1e-5"
    assert (c.INSTANCE_NORM_FLOOR_SHARE, c.INSTANCE_NORM_EPS) == (1e-3, 1e-5)
    assert "at a thousandth of the smallest variance of a training" in doc
    assert "a thousandth of the smallest training sequence's variance" in defaults
    assert c.CONV_KERNEL == 7  # "each step and the 6 before it"
    assert "each step and the 6 before it" in doc
    assert c.DEVICE_DATA_FRACTION == 0.25  # "a quarter" in the docstring
    assert "at most a quarter of the GPU's free memory" in doc
    # "at most one save a second and a tenth of the training time"
    assert (c.CHECKPOINT_MIN_INTERVAL, c.CHECKPOINT_SAVE_RATIO) == (1.0, 9)
    assert "at most one save a second and a tenth of the training time" in doc
    gpu = (ROOT / "docs" / "user_guide" / "gpu.rst").read_text(encoding="utf-8")
    assert c.THREAD_MIN_STEP_WORK == 1_500_000  # "1.5 million" in the docs
    assert "one thread per 1.5 million multiply-adds" in doc
    assert "One thread per 1.5 million multiply-adds" in " ".join(gpu.split())
    assert f"batches of at least {c.PREDICT_BATCH_SIZE} sequences" in " ".join(
        gpu.split()
    )
