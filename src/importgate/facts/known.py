"""Knowledge that no installed metadata can give: import names whose
distribution is named differently, and standard-library modules that came or
went with a Python version."""

from __future__ import annotations

# import name -> distribution on the package registry (only where they differ)
DISTRIBUTION_FOR_IMPORT: dict[str, str] = {
    "yaml": "PyYAML",
    "PIL": "Pillow",
    "cv2": "opencv-python",
    "sklearn": "scikit-learn",
    "skimage": "scikit-image",
    "bs4": "beautifulsoup4",
    "dateutil": "python-dateutil",
    "jwt": "PyJWT",
    "dotenv": "python-dotenv",
    "magic": "python-magic",
    "Crypto": "pycryptodome",
    "Cryptodome": "pycryptodomex",
    "OpenSSL": "pyOpenSSL",
    "MySQLdb": "mysqlclient",
    "attr": "attrs",
    "serial": "pyserial",
    "usb": "pyusb",
    "zmq": "pyzmq",
    "git": "GitPython",
    "docx": "python-docx",
    "pptx": "python-pptx",
    "jose": "python-jose",
    "slugify": "python-slugify",
    "multipart": "python-multipart",
    "memcache": "python-memcached",
    "ldap": "python-ldap",
    "gi": "PyGObject",
    "wx": "wxPython",
    "fitz": "PyMuPDF",
    "win32api": "pywin32",
    "win32con": "pywin32",
    "websocket": "websocket-client",
    "socks": "PySocks",
    "kafka": "kafka-python",
    "pkg_resources": "setuptools",
    "telegram": "python-telegram-bot",
    "discord": "discord.py",
    "nacl": "PyNaCl",
    "google.protobuf": "protobuf",
    "google.cloud.storage": "google-cloud-storage",
    "google.cloud.pubsub": "google-cloud-pubsub",
    "google.cloud.pubsub_v1": "google-cloud-pubsub",
    "google.cloud.bigquery": "google-cloud-bigquery",
    "google.cloud.error_reporting": "google-cloud-error-reporting",
    "google.cloud.logging": "google-cloud-logging",
    "google.cloud.secretmanager": "google-cloud-secret-manager",
    "google.auth": "google-auth",
    "google.oauth2": "google-auth",
    "googleapiclient": "google-api-python-client",
    "azure.storage.blob": "azure-storage-blob",
    "azure.identity": "azure-identity",
    "psycopg2": "psycopg2-binary",
    "markdown": "Markdown",
    "jinja2": "Jinja2",
    "lazy_loader": "lazy-loader",
    "Levenshtein": "Levenshtein",
    "dns": "dnspython",
    "ruamel": "ruamel.yaml",
    "typing_extensions": "typing-extensions",
    "importlib_metadata": "importlib-metadata",
    "pydantic_settings": "pydantic-settings",
    "sentry_sdk": "sentry-sdk",
    "opentelemetry": "opentelemetry-api",
    "grpc": "grpcio",
    "pythonjsonlogger": "python-json-logger",
    "json_log_formatter": "JSON-log-formatter",
    "snappy": "python-snappy",
    "Bio": "biopython",
    "mpl_toolkits": "matplotlib",
    "pytest_asyncio": "pytest-asyncio",
    "xdist": "pytest-xdist",
    "tomli_w": "tomli-w",
    "sqlalchemy": "SQLAlchemy",
    "flask": "Flask",
    "werkzeug": "Werkzeug",
}

# module -> (version it appeared, version it was removed); None where it still exists
STDLIB_HISTORY: dict[str, tuple[tuple[int, int] | None, tuple[int, int] | None]] = {
    "tomllib": ((3, 11), None),
    "zoneinfo": ((3, 9), None),
    "graphlib": ((3, 9), None),
    "annotationlib": ((3, 14), None),
    "compression": ((3, 14), None),
    "string.templatelib": ((3, 14), None),
    "distutils": (None, (3, 12)),
    "imp": (None, (3, 12)),
    "asynchat": (None, (3, 12)),
    "asyncore": (None, (3, 12)),
    "smtpd": (None, (3, 12)),
    "aifc": (None, (3, 13)),
    "audioop": (None, (3, 13)),
    "cgi": (None, (3, 13)),
    "cgitb": (None, (3, 13)),
    "chunk": (None, (3, 13)),
    "crypt": (None, (3, 13)),
    "imghdr": (None, (3, 13)),
    "mailcap": (None, (3, 13)),
    "msilib": (None, (3, 13)),
    "nis": (None, (3, 13)),
    "nntplib": (None, (3, 13)),
    "ossaudiodev": (None, (3, 13)),
    "pipes": (None, (3, 13)),
    "sndhdr": (None, (3, 13)),
    "spwd": (None, (3, 13)),
    "sunau": (None, (3, 13)),
    "telnetlib": (None, (3, 13)),
    "uu": (None, (3, 13)),
    "xdrlib": (None, (3, 13)),
    "lib2to3": (None, (3, 13)),
}


def distribution_for(module: str) -> str | None:
    """The registry distribution that usually provides ``module`` (longest known prefix)."""
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        dist = DISTRIBUTION_FOR_IMPORT.get(".".join(parts[:i]))
        if dist is not None:
            return dist
    return None


def stdlib_note(module: str, version: tuple[int, int]) -> str | None:
    for i in range(len(module.split(".")), 0, -1):
        key = ".".join(module.split(".")[:i])
        if key in STDLIB_HISTORY:
            added, removed = STDLIB_HISTORY[key]
            if added and version < added:
                return f"{key} joined the standard library in Python {added[0]}.{added[1]}; the target is Python {version[0]}.{version[1]}"
            if removed and version >= removed:
                return f"{key} was removed from the standard library in Python {removed[0]}.{removed[1]}; the target is Python {version[0]}.{version[1]}"
    return None


# Widely used distributions whose import name is their own name. The dependency rules only name a
# provider for a module that is not installed when they know it; these are unambiguous.
SAME_NAME_DISTRIBUTIONS: frozenset[str] = frozenset({
    "aiohttp", "alembic", "anyio", "arrow", "asgiref", "asyncpg", "attrs", "authlib", "babel", "bcrypt",
    "black", "bleach", "blinker", "boto3", "botocore", "cachetools", "celery", "certifi", "cffi", "chardet",
    "click", "colorama", "coverage", "cryptography", "cython", "dask", "django", "docutils", "elasticsearch",
    "fastapi", "filelock", "flask", "fsspec", "gevent", "greenlet", "grpcio", "gunicorn", "h11", "h2", "httpcore",
    "httpx", "hypothesis", "idna", "itsdangerous", "jmespath", "joblib", "jsonschema", "kombu", "lxml", "marshmallow",
    "matplotlib", "mock", "msgpack", "multidict", "mypy", "nltk", "numpy", "openai", "orjson", "packaging",
    "pandas", "paramiko", "pendulum", "pexpect", "platformdirs", "pluggy", "psutil", "pyarrow", "pydantic",
    "pygments", "pymongo", "pymysql", "pytest", "pytz", "redis", "regex", "requests", "rich", "ruamel",
    "scipy", "simplejson", "six", "sniffio", "sqlalchemy", "sqlparse", "starlette", "structlog", "sympy",
    "tabulate", "tenacity", "toml", "tomli", "torch", "tornado", "tqdm", "trio", "typer", "ujson", "urllib3",
    "uvicorn", "uvloop", "websockets", "werkzeug", "wrapt", "xmltodict", "yarl",
    "lxml", "pytz", "boto", "ldap3", "pymssql", "stripe", "zstandard", "socksio", "mdurl", "wsproto",
    "watchfiles", "watchgod", "httptools", "a2wsgi", "commonmark", "wcwidth", "atheris", "hypothesmith",
    "aiofiles", "sentry_sdk", "responses", "freezegun", "factory", "faker", "nox", "tox", "invoke", "fabric",
})
# and a few more import names that differ from their distribution
DISTRIBUTION_FOR_IMPORT.update({
    "IPython": "ipython",
    "google.api": "googleapis-common-protos",
    "google.rpc": "googleapis-common-protos",
    "google.type": "googleapis-common-protos",
    "_cffi_backend": "cffi",
    "OpenGL": "PyOpenGL",
    "markupsafe": "MarkupSafe",
    "mypy_extensions": "mypy-extensions",
    "setuptools_scm": "setuptools-scm",
    "charset_normalizer": "charset-normalizer",
    "pythoncom": "pywin32",
    "win32com": "pywin32",
    "Xlib": "python-xlib",
    "socketio": "python-socketio",
    "engineio": "python-engineio",
    "editor": "python-editor",
    "rest_framework": "djangorestframework",
    "corsheaders": "django-cors-headers",
    "debug_toolbar": "django-debug-toolbar",
    "environ": "django-environ",
    "storages": "django-storages",
    "django_filters": "django-filter",
    "model_utils": "django-model-utils",
    "crispy_forms": "django-crispy-forms",
    "celery_beat": "django-celery-beat",
    "brotli": "Brotli",
    "markdown_it": "markdown-it-py",
    "pydantic_core": "pydantic-core",
    "annotated_types": "annotated-types",
})


def provider_for(module: str) -> str | None:
    """The distribution usually behind an import name, for the dependency rules (None: unknown)."""
    dist = distribution_for(module)
    if dist is not None:
        return dist
    top = module.split(".")[0]
    return top if top in SAME_NAME_DISTRIBUTIONS else None
