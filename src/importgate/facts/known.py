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
