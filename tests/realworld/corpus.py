"""The real-world corpus of tests/realworld: pinned distributions from the package registry,
the top-level entries of their site-packages that importgate checks one by one, the findings
on them that are TRUE (each with the reason, proven at run time by test_precision.py), and
broken variants of real packages that must be reported (recall).

Shared with bench/precision_compare.py, which runs pylint, mypy and pyright on the same copies."""

from __future__ import annotations

# Every distribution pinned (the direct picks and everything they pull in), so the corpus is
# the same on every machine. Python 3.11. fastapi 0.165.0 and starlette 1.10.0 are compatible pins.
PINS = [
    "aiohappyeyeballs==2.7.1", "aiohttp==3.14.5", "aiosignal==1.4.0", "alabaster==1.0.0", "alembic==1.20.1",
    "amqp==5.4.2", "annotated-doc==0.0.7", "annotated-types==0.8.0", "anyio==4.16.0", "asgiref==3.13.0",
    "attrs==26.1.0", "babel==2.19.0", "bcrypt==5.0.0", "billiard==4.3.2", "blinker==1.9.0", "boto3==1.44.8",
    "botocore==1.44.8", "celery==5.7.0", "certifi==2026.10.19.post1", "cffi==2.1.1",
    "charset-normalizer==3.5.3", "click==8.5.1", "click-didyoumean==0.3.1", "click-plugins==1.1.1.2",
    "click-repl==0.4.1", "contourpy==1.3.3", "cryptography==50.0.2", "cycler==0.12.1", "Django==5.2.19",
    "docutils==0.22.4", "et_xmlfile==2.0.0", "fastapi==0.165.0", "Flask==3.1.3", "fonttools==4.68.0",
    "frozenlist==1.8.0", "google-api-core==2.44.0", "google-auth==2.63.0", "googleapis-common-protos==1.76.0",
    "grpcio==1.85.3", "gunicorn==27.0.1", "h11==0.16.0", "httpcore==1.0.9", "httpx==0.28.1",
    "hypothesis==6.170.17", "idna==3.20", "ImageIO==2.38.1", "imagesize==2.0.1", "iniconfig==2.3.1",
    "invoke==3.0.3", "itsdangerous==2.2.0", "Jinja2==3.1.6", "jmespath==1.1.0", "jsonschema==4.26.0",
    "jsonschema-specifications==2025.9.1", "kiwisolver==1.5.1", "kombu==5.7.0", "lazy-loader==0.6",
    "lxml==6.1.3", "Mako==1.4.3", "Markdown==3.11.3", "markdown-it-py==4.3.0", "MarkupSafe==3.0.4",
    "marshmallow==4.4.0", "matplotlib==3.11.2", "mdurl==0.1.2", "mpmath==1.3.0", "multidict==7.2.1",
    "networkx==3.6.1", "numpy==2.4.6", "openpyxl==3.1.5", "opentelemetry-api==1.45.2", "outcome==1.3.0.post0",
    "packaging==26.4", "pandas==3.1.1", "paramiko==5.1.0", "pillow==13.0.0", "pip==26.3", "pluggy==1.7.0",
    "prompt_toolkit==3.0.53", "propcache==0.5.4", "proto-plus==1.29.0", "protobuf==7.36.2", "pyasn1==0.6.5",
    "pyasn1_modules==0.4.2", "pycparser==3.12", "pydantic==2.14.4", "pydantic_core==2.50.5",
    "Pygments==2.21.0", "PyNaCl==1.6.2", "pyOpenSSL==26.4.0", "pyparsing==3.3.3", "pytest==9.2.0",
    "python-dateutil==2.9.0.post0", "pytz==2026.6", "PyYAML==6.0.4", "redis==8.1.0", "referencing==0.37.0",
    "requests==2.34.2", "rich==15.0.0", "roman-numerals==4.1.0", "rpds-py==2026.9.1", "s3transfer==0.19.3",
    "scikit-image==0.26.0", "scipy==1.17.1", "setuptools==84.2.1", "shellingham==1.5.4", "six==1.17.0",
    "sniffio==1.3.1", "snowballstemmer==3.1.1", "sortedcontainers==2.4.0", "Sphinx==9.0.4",
    "sphinxcontrib-applehelp==2.0.0", "sphinxcontrib-devhelp==2.0.0", "sphinxcontrib-htmlhelp==2.1.0",
    "sphinxcontrib-jsmath==2.0.0", "sphinxcontrib-qthelp==2.0.0", "sphinxcontrib-serializinghtml==2.0.0",
    "SQLAlchemy==2.1.9", "sqlparse==0.6.1", "starlette==1.10.0", "sympy==1.14.0", "tifffile==2026.3.3",
    "tornado==6.6.1", "tqdm==4.70.1", "trio==0.35.0", "typer==0.29.2", "typing-inspection==0.4.5",
    "typing_extensions==4.16.0", "tzlocal==5.4.5", "urllib3==2.8.0", "uvicorn==0.54.0", "vine==5.1.0",
    "wcwidth==0.9.4", "websockets==17.4", "Werkzeug==3.1.9", "wrapt==2.5.2", "yarl==1.25.1",
]

# What importgate checks: each top-level package or module of that site-packages, on its own
# (`importgate check site-packages/<entry> --python <venv python>`).
TOP_LEVEL = [
    "OpenSSL", "PIL", "_distutils_hack", "_hypothesis_ftz_detector.py", "_hypothesis_globals.py",
    "_hypothesis_pytestplugin.py", "_pytest", "_yaml", "aiohappyeyeballs", "aiohttp", "aiosignal",
    "alabaster", "alembic", "amqp", "annotated_doc", "annotated_types", "anyio", "asgiref", "attr", "attrs",
    "babel", "bcrypt", "billiard", "blinker", "boto3", "botocore", "celery", "certifi", "cffi",
    "charset_normalizer", "click", "click_didyoumean", "click_plugins", "click_plugins.py", "click_repl",
    "contourpy", "cryptography", "cycler", "dateutil", "django", "docutils", "et_xmlfile", "fastapi", "flask",
    "fontTools", "frozenlist", "google", "grpc", "gunicorn", "h11", "httpcore", "httpx", "hypothesis", "idna",
    "imageio", "imagesize", "iniconfig", "invoke", "isympy.py", "itsdangerous", "jinja2", "jmespath",
    "jsonschema", "jsonschema_specifications", "kiwisolver", "kombu", "lazy_loader", "lxml", "mako",
    "markdown", "markdown_it", "markupsafe", "marshmallow", "matplotlib", "mdurl", "mpl_toolkits", "mpmath",
    "multidict", "nacl", "networkx", "numpy", "openpyxl", "opentelemetry", "outcome", "packaging", "pandas",
    "paramiko", "pip", "pluggy", "prompt_toolkit", "propcache", "proto", "py.py", "pyasn1", "pyasn1_modules",
    "pycparser", "pydantic", "pydantic_core", "pygments", "pylab.py", "pyparsing", "pytest", "pytz", "redis",
    "referencing", "requests", "rich", "roman_numerals", "rpds", "s3transfer", "scipy", "setuptools",
    "shellingham", "six.py", "skimage", "sniffio", "snowballstemmer", "sortedcontainers", "sphinx",
    "sphinxcontrib", "sqlalchemy", "sqlparse", "starlette", "sympy", "tifffile", "tornado", "tqdm", "trio",
    "typer", "typing_extensions.py", "typing_inspection", "tzlocal", "urllib3", "uvicorn", "vine", "wcwidth",
    "websockets", "werkzeug", "wrapt", "yaml", "yarl",
]

RULES = ["missing-name", "undefined-export", "relative-beyond-top-level", "unresolved-module", "syntax-error"]

# TRUE findings on these pins: (path inside site-packages, rule, name or module). Every one is
# proven in the venv by test_precision.py (the import raises, `from m import *` raises, or the
# names that __all__ lists and the module lacks are exactly these).
PYDANTIC_V1_TYPING = [
    "TupleGenerator", "DictStrAny", "DictAny", "SetStr", "ListStr", "IntStr", "AbstractSetIntStr",
    "DictIntStrAny", "CallableGenerator", "ReprArgs", "AnyClassMethod", "MappingIntStrAny",
]
TRUE_FINDINGS: dict[str, set[tuple[str, str, str]]] = {
    # Pillow 13 imports a typeshed-only name; it was written for PEP 810 lazy imports
    # (__lazy_modules__ = {"numbers", ...}), which Python 3.11 does not have: `import PIL._typing` fails.
    "PIL": {("PIL/_typing.py", "missing-name", "_IntegralLike")},
    # metadata_fixture() imports `fixture_functions` from alembic.testing, which has none (it lives
    # in sqlalchemy.testing.config as `_fixture_functions`): the function fails whenever it is called.
    "alembic": {("alembic/testing/util.py", "missing-name", "fixture_functions")},
    "google": {
        # with PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=cpp and no C module, descriptor.py falls back to
        # google.protobuf.pyext._message, which this wheel does not ship
        ("google/protobuf/descriptor.py", "missing-name", "_message"),
        # benchmarks shipped in the wheel without the test protos they import
        ("google/protobuf/internal/message_benchmark.py", "missing-name", "unittest_pb2"),
        ("google/protobuf/internal/json_format_benchmark.py", "unresolved-module", "google.protobuf.json"),
    },
    # __all__ names a constant the bindings do not define (libsodium exposes no such binding here)
    "nacl": {("nacl/bindings/__init__.py", "undefined-export", "crypto_core_ed25519_UNIFORMBYTES")},
    # __all__ lists type aliases bound only under `if TYPE_CHECKING:`
    "prompt_toolkit": {
        ("prompt_toolkit/formatted_text/base.py", "undefined-export", "MagicFormattedText"),
        ("prompt_toolkit/key_binding/key_bindings.py", "undefined-export", "NotImplementedOrNone"),
    },
    # pydantic.v1.typing lists TYPE_CHECKING-only aliases in __all__
    "pydantic": {("pydantic/v1/typing.py", "undefined-export", name) for name in PYDANTIC_V1_TYPING},
    # __all__ promises names the compiled core of this release does not export
    "pydantic_core": {
        ("pydantic_core/__init__.py", "undefined-export", "UNSET"),
        ("pydantic_core/__init__.py", "undefined-export", "ModelFieldsSet"),
    },
    # __all__ = ('language', 'algorithms', 'stemmer') but the module only has `_languages`
    "snowballstemmer": {("snowballstemmer/__init__.py", "undefined-export", "language")},
    # instrument_declarative was removed in 2.0, its __all__ entry was not
    "sqlalchemy": {("sqlalchemy/ext/declarative/__init__.py", "undefined-export", "instrument_declarative")},
    # an @XFAIL test: its authors know ScreenShot is gone
    "sympy": {("sympy/utilities/tests/test_pickling.py", "missing-name", "ScreenShot")},
    "tqdm": {
        # the deprecated tqdm._utils re-exports helpers that tqdm.utils no longer has: importing it fails
        ("tqdm/_utils.py", "missing-name", "_screen_shape_linux"),
        ("tqdm/_utils.py", "missing-name", "_screen_shape_tput"),
        ("tqdm/_utils.py", "missing-name", "_screen_shape_windows"),
        # interpreter_map() needs Python 3.14 (concurrent.interpreters); on 3.11 calling it fails
        ("tqdm/contrib/concurrent.py", "missing-name", "interpreters"),
        ("tqdm/contrib/concurrent.py", "missing-name", "InterpreterPoolExecutor"),
    },
}

# Findings reached only in some way of running the code: how to reach them in the venv
# (code, extra environment, text the failure contains). Every other true finding is proven by
# its own statement (`from m import name` / `import m`) or, for undefined-export, by auditing
# __all__ at run time.
REACH = [
    ("import PIL._typing", {}, "cannot import name '_IntegralLike'"),
    ("from alembic.testing.util import metadata_fixture; metadata_fixture()", {}, "cannot import name 'fixture_functions'"),
    ("import google.protobuf.descriptor", {"PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION": "cpp"}, "cannot import name '_message'"),
    ("import google.protobuf.internal.json_format_benchmark", {}, "No module named 'google.protobuf.json'"),
    ("import tqdm._utils", {}, "cannot import name '_screen_shape_linux'"),
    ("from tqdm.contrib.concurrent import interpreter_map; interpreter_map(print, [1])", {}, "cannot import name 'interpreters'"),
]


# -- recall: real packages broken the way real code breaks -----------------------------------------
# (id, package copied into the project, edits [(path, old, new) or (path, None, new path) to rename],
#  app.py or None, findings that must be reported [(rule, name or module)], code that fails at run time)
VARIANTS = [
    ("requests-deleted-reexport", "requests",
     [("requests/__init__.py", "from .api import delete, get, head,", "from .api import delete, head,")],
     "from requests import get\n", [("missing-name", "get")], "import app"),
    ("flask-deleted-reexport", "flask",
     [("flask/__init__.py", "from .app import Flask as Flask\n", "")],
     "from flask import Flask\n", [("missing-name", "Flask")], "import app"),
    ("click-deleted-reexport", "click",
     [("click/__init__.py", "from .core import Command as Command\n", "")],
     "from click import Command\n", [("missing-name", "Command")], "import app"),
    ("sqlalchemy-deleted-reexport", "sqlalchemy",
     [("sqlalchemy/__init__.py", "from .sql.expression import select as select\n", "")],
     "from sqlalchemy import select\n", [("missing-name", "select")], "import app"),
    ("rich-renamed-module", "rich",
     [("rich/color.py", None, "rich/colour.py")],
     "from rich.console import Console\n", [("unresolved-module", "rich.color")], "import app"),
    ("attrs-bogus-all", "attr",
     [("attr/__init__.py", '__all__ = [\n', '__all__ = [\n    "frozen_dataclass",\n')],
     None, [("undefined-export", "frozen_dataclass")], "from attr import *"),
    ("django-typo-in-all", "django",
     [("django/urls/__init__.py", '    "reverse_lazy",\n', '    "reverse_lazy",\n    "reverse_lazyy",\n')],
     None, [("undefined-export", "reverse_lazyy")], "from django.urls import *"),
    ("httpx-star-all", "httpx",
     [("httpx/_api.py", '    "get",\n', "")],
     "from httpx import get\n", [("missing-name", "get")], "import app"),  # with the __all__ entry as its related place
    ("jinja2-relative-beyond", "jinja2",
     [("jinja2/utils.py", "import enum\n", "import enum\nfrom ... import markupsafe\n")],
     None, [("relative-beyond-top-level", None)], "import jinja2"),
    ("flask-function-level-typo", "flask",
     [("flask/cli.py", '    """\n    from . import Flask\n', '    """\n    from . import Flsk as Flask\n')],
     None, [("missing-name", "Flsk")],
     "import types; from flask.cli import find_best_app; find_best_app(types.ModuleType('m'))"),
    ("skimage-lazy-stub", "skimage",
     [("skimage/filters/__init__.pyi", "from ._gaussian import difference_of_gaussians, gaussian\n",
       "from ._gaussian import difference_of_gaussians\n")],
     "from skimage.filters import gaussian\n", [("missing-name", "gaussian")], "import app"),
    # a known miss: pydantic's module __getattr__ falls back to a migration helper for unknown
    # names, so no static tool can tell that `BaseModel` is gone from its lazy table
    ("pydantic-lazy-table", "pydantic",
     [("pydantic/__init__.py", "    'BaseModel': (__spec__.parent, '.main'),\n", "")],
     "from pydantic import BaseModel\n", [], "import app"),
]
