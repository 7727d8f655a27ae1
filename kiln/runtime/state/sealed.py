"""Secret resource data, encrypted at rest (Heat's `data_set(..., redact=True)`).

A handler names the data keys that hold secrets (`BaseHandler.secret_data`: a generated key
pair's private key); the state store keeps their values sealed, `{"$sealed": "<token>"}`,
the token being the value's JSON encrypted and authenticated with Fernet (`cryptography`),
as Heat's crypt.encrypt does with its auth_encryption_key. The key is not in the database:

- `$KILN_STATE_KEY_FILE` when set;
- else `state.key` beside a SQLite state file (`.kiln/state.key` for the default store);
- else (a database server's URL, an in-memory store) `.kiln/state.key` under the current
  directory.

Beside the database, the key keeps the secrets out of every copy of the database alone (a
backup, a file sent with a bug report); `KILN_STATE_KEY_FILE` keeps the two further apart,
and is how the users of one database server share its key. The key file is made on first
need (the first secret sealed), mode 0600 in a 0700 directory when Kiln makes that
directory. Values are opened only where a handler reads them (`OpenedData`), so status,
events and deletes never need the key. Data written in clear by an earlier Kiln reads as it
is; a deploy seals it (`StateStore.prepare_secrets`).
"""

import contextlib
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from kiln.runtime.errors import StateError

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

ENV_KEY_FILE: Final = "KILN_STATE_KEY_FILE"
KEY_FILE_NAME: Final = "state.key"
SEALED_KEY: Final = "$sealed"


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {SEALED_KEY}


def key_file_path(url: str) -> Path:
    """Where the key of the state store at `url` is (see the module's docstring)."""
    chosen = os.environ.get(ENV_KEY_FILE)
    if chosen:
        return Path(chosen).expanduser().absolute()
    database = url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else ""
    if database and database != ":memory:":
        return (Path(database).parent / KEY_FILE_NAME).absolute()
    return Path(".kiln", KEY_FILE_NAME).absolute()


class Sealer:
    """Seals and opens values with the key in one key file (read once, made on first need)."""

    def __init__(self, path: Path, store: str) -> None:
        self.path = path
        self.store = store  # the state store's URL, for messages
        self._fernet: Fernet | None = None
        self._lock = threading.Lock()

    def seal(self, value: Any) -> dict[str, str]:
        data = json.dumps(value, sort_keys=True).encode("utf-8")
        return {SEALED_KEY: self._key(create=True).encrypt(data).decode("ascii")}

    def open(self, value: Any) -> Any:
        """A sealed value's content; any other value as it is."""
        if not is_sealed(value):
            return value
        from cryptography.fernet import InvalidToken

        try:
            data = self._key(create=False).decrypt(str(value[SEALED_KEY]).encode("ascii"))
        except (InvalidToken, UnicodeEncodeError) as error:
            raise StateError(
                f"the key file {self.path} does not open the encrypted resource data of the "
                f"state store {self.store}: it is not the key that data was encrypted with. "
                f"Put this store's key file back there (or point {ENV_KEY_FILE} at it)"
            ) from error
        return json.loads(data)

    def _key(self, *, create: bool) -> "Fernet":
        with self._lock:
            if self._fernet is None:
                self._fernet = self._load(create)
            return self._fernet

    def _load(self, create: bool) -> "Fernet":
        from cryptography.fernet import Fernet

        if create and not self.path.exists():
            self._create(Fernet.generate_key())
        try:
            text = self.path.read_bytes().strip()
        except FileNotFoundError:
            raise StateError(
                f"the state store {self.store} holds encrypted resource data (such as a "
                f"generated key pair's private key), but its key file {self.path} does not "
                f"exist. Put the key file back there, or point {ENV_KEY_FILE} at it; without "
                "it that data cannot be read (deleting the stack does not need it)"
            ) from None
        except OSError as error:
            raise StateError(f"cannot read the state key file {self.path}: {error}") from error
        try:
            return Fernet(text)
        except ValueError as error:
            raise StateError(
                f"the state key file {self.path} does not hold a Kiln state key (a Fernet "
                "key: 32 bytes, url-safe base64)"
            ) from error

    def _create(self, key: bytes) -> None:
        """Write the key to a private temporary file, then link it into place: a concurrent
        run either sees no key file or a whole one, and the first one made wins."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(prefix=".state-key-", dir=self.path.parent)
            try:
                with os.fdopen(handle, "wb") as stream:  # mkstemp makes it 0600
                    stream.write(key + b"\n")
                    stream.flush()
                    os.fsync(stream.fileno())
                with contextlib.suppress(FileExistsError):  # another run's key came first
                    os.link(temporary, self.path)
            finally:
                os.unlink(temporary)
        except OSError as error:
            raise StateError(f"cannot create the state key file {self.path}: {error}") from error


class OpenedData(MutableMapping[str, Any]):
    """A resource's data as its handler reads it: sealed values opened when first read (so a
    handler that reads no secret never needs the key); what is written is kept as given."""

    def __init__(self, stored: dict[str, Any], opener: Callable[[Any], Any]) -> None:
        self._values = dict(stored)
        self._sealed = {key for key, value in stored.items() if is_sealed(value)}
        self._open = opener

    def __getitem__(self, key: str) -> Any:
        if key in self._sealed:
            self._values[key] = self._open(self._values[key])
            self._sealed.discard(key)
        return self._values[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._values[key] = value
        self._sealed.discard(key)

    def __delitem__(self, key: str) -> None:
        del self._values[key]
        self._sealed.discard(key)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)
