"""The EngineConn's Python driver: runs the tasks it is sent in one persistent namespace.

Protocol (one JSON object per line, schemas in src/driver-protocol.ts): requests arrive on fd 3,
messages leave on fd 4, so nothing user code prints can corrupt them. The EngineConn names the
protocol version it speaks in ENGINECONN_PY_PROTOCOL; the driver answers `ready` with its own, or
`fatal` and exits when they differ. A request that does not fit the protocol is answered with
`protocol-error` and skipped. User output goes to the real fd 1 and fd 2; when a task ends the
driver writes a sync marker on both, so the EngineConn knows which output belongs to which task.
SIGINT raises KeyboardInterrupt only while user code runs; the driver itself never sees it.
"""

import ast
import base64
import builtins
import datetime
import decimal
import io
import itertools
import json
import linecache
import math
import os
import signal
import sys
import traceback
import types

PROTOCOL_VERSION = 1
REQUEST_FD = 3
MESSAGE_FD = 4
MARKER = os.environ.pop("ENGINECONN_PY_SYNC").encode("ascii")
BATCH_ROWS = 1000
MAX_SAFE_INT = 2**53 - 1
DRIVER_FILE = os.path.abspath(__file__)

# Imports resolve from the working directory, as in an interactive interpreter, not from this folder.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(DRIVER_FILE):
    sys.path[0] = ""

# Children started by user code must not hold the protocol pipes: the EngineConn watches them.
os.set_inheritable(REQUEST_FD, False)
os.set_inheritable(MESSAGE_FD, False)

for stream in (sys.stdout, sys.stderr):
    stream.reconfigure(encoding="utf-8", errors="backslashreplace", line_buffering=True)
REAL_STDOUT, REAL_STDERR = sys.stdout, sys.stderr

state = {"task": None, "deferring": False, "pending": False}


def on_sigint(signum, frame):
    if state["task"] is None:
        return
    if state["deferring"]:
        state["pending"] = True
        return
    raise KeyboardInterrupt


def send(message):
    """Writes one message whole: an interrupt arriving meanwhile is raised after it, not inside it."""
    data = memoryview((json.dumps(message, separators=(",", ":"), allow_nan=False) + "\n").encode("ascii"))
    state["deferring"] = True
    try:
        while data:
            data = data[os.write(MESSAGE_FD, data):]
    finally:
        state["deferring"] = False
    if state["pending"]:
        state["pending"] = False
        if state["task"] is not None:
            raise KeyboardInterrupt


# ---- values and result sets -------------------------------------------------------------------


def is_dataframe(value):
    cls = type(value)
    return cls.__name__ == "DataFrame" and cls.__module__.startswith("pandas")


def float_cell(value):
    """NaN, the infinities and -0 are strings, which JSON has no number for."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0 and math.copysign(1.0, value) < 0:
        return "-0"
    return value


def cell(value):
    """A JSON-safe form of one table cell."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -MAX_SAFE_INT <= value <= MAX_SAFE_INT else str(value)
    if isinstance(value, float):
        return float_cell(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, dict):
        return {str(k): cell(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [cell(v) for v in value]
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        try:
            return cell(item())
        except (TypeError, ValueError):
            pass
    try:
        if value != value:  # missing values that are not floats (pandas NaT, NA)
            return None
    except (TypeError, ValueError):
        pass
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if callable(isoformat) else str(value)


def type_name(value):
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "BIGINT"
    if isinstance(value, float):
        return "DOUBLE"
    if isinstance(value, decimal.Decimal):
        return "DECIMAL"
    if isinstance(value, datetime.datetime):
        return "TIMESTAMP"
    if isinstance(value, datetime.date):
        return "DATE"
    if isinstance(value, datetime.time):
        return "TIME"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "BLOB"
    if isinstance(value, (dict, list, tuple)):
        return "JSON"
    return "VARCHAR"


def column_types(rows, width):
    types_ = [None] * width
    for row in rows:
        for i, value in enumerate(row):
            if value is None:
                continue
            seen = type_name(value)
            if types_[i] is None:
                types_[i] = seen
            elif types_[i] != seen:
                types_[i] = "DOUBLE" if {types_[i], seen} == {"BIGINT", "DOUBLE"} else "VARCHAR"
    return [t or "VARCHAR" for t in types_]


def dtype_name(dtype):
    return {"i": "BIGINT", "u": "BIGINT", "f": "DOUBLE", "b": "BOOLEAN", "M": "TIMESTAMP", "m": "INTERVAL"}.get(
        getattr(dtype, "kind", ""), "VARCHAR"
    )


def table_rows(data, columns):
    """Column names, types and an iterator of row lists for show_table's accepted shapes."""
    if is_dataframe(data):
        names = [str(c) for c in data.columns]
        return names, [dtype_name(d) for d in data.dtypes], (list(r) for r in data.itertuples(index=False, name=None))
    rows = iter(data)
    first = list(itertools.islice(rows, BATCH_ROWS))
    if first and all(isinstance(r, dict) for r in first):
        names = list(columns) if columns is not None else list(dict.fromkeys(k for r in first for k in r))
        as_list = lambda r: [r.get(name) for name in names]  # noqa: E731
    else:
        for r in first:
            if not isinstance(r, (list, tuple)):
                raise TypeError("show_table expects a DataFrame, a list of dicts, or a list of lists/tuples")
        width = max((len(r) for r in first), default=len(columns or ()))
        names = [str(c) for c in columns] if columns is not None else ["_c%d" % i for i in range(width)]

        def as_list(r):
            if len(r) != len(names):
                raise ValueError("a row has %d values but there are %d columns" % (len(r), len(names)))
            return list(r)

    head = [as_list(r) for r in first]
    types_ = column_types(head, len(names))
    return [str(n) for n in names], types_, itertools.chain(head, (as_list(r) for r in rows))


def show_table(data, columns=None):
    """Shows rows as a TABLE result set: a DataFrame, a list of dicts, or a list of lists plus columns."""
    names, types_, rows = table_rows(data, columns)
    batch = [[cell(v) for v in row] for row in itertools.islice(rows, BATCH_ROWS)]
    message = {"type": "result", "kind": "TABLE", "columns": [{"name": n, "type": t} for n, t in zip(names, types_)]}
    while True:
        following = [[cell(v) for v in row] for row in itertools.islice(rows, BATCH_ROWS)]
        send({**message, "rows": batch, "more": bool(following)})
        if not following:
            return None
        message, batch = {"type": "rows"}, following


def show_html(html):
    """Shows an HTML fragment as an HTML result set."""
    send({"type": "result", "kind": "HTML", "text": str(html)})


IMAGE_SIGNATURES = [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
]


def image_mime(data):
    for signature, mime in IMAGE_SIGNATURES:
        if data.startswith(signature):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if b"<svg" in data[:1024]:
        return "image/svg+xml"
    return None


def show_image(image, mime=None):
    """Shows a picture: PNG/JPEG/GIF/WebP/SVG bytes, a file path, or a matplotlib figure."""
    if hasattr(image, "savefig"):
        buffer = io.BytesIO()
        image.savefig(buffer, format="png", bbox_inches="tight")
        data = buffer.getvalue()
    elif callable(getattr(image, "_repr_png_", None)):
        data = image._repr_png_()
    elif isinstance(image, (str, os.PathLike)):
        with open(image, "rb") as f:
            data = f.read()
    elif isinstance(image, (bytes, bytearray, memoryview)):
        data = bytes(image)
    else:
        raise TypeError("show_image expects image bytes, a file path or a matplotlib figure")
    mime = mime or image_mime(data)
    if mime is None:
        raise ValueError("show_image could not tell the image format; pass mime='image/png' or similar")
    send({"type": "result", "kind": "PICTURE", "mime": mime, "data": base64.b64encode(data).decode("ascii")})


def show_value(value):
    if is_dataframe(value):
        show_table(value)
    else:
        send({"type": "result", "kind": "TEXT", "text": repr(value)})


# ---- running a task -----------------------------------------------------------------------------

main_module = types.ModuleType("__main__")
main_module.__dict__.update(
    {"__builtins__": builtins, "show_table": show_table, "show_html": show_html, "show_image": show_image}
)
sys.modules["__main__"] = main_module
namespace = main_module.__dict__


def execute(code, filename):
    """Jupyter-style: run every statement, then show a trailing expression's value unless it is None
    or the code ends with a semicolon."""
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    tree = ast.parse(code, filename, "exec")
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr) and not code.rstrip().endswith(";"):
        last = ast.Expression(tree.body.pop().value)
    if tree.body:
        exec(compile(tree, filename, "exec"), namespace)
    if last is not None:
        value = eval(compile(last, filename, "eval"), namespace)
        if value is not None:
            namespace["_"] = value
            show_value(value)


def exception_line(error):
    cls = type(error)
    name = cls.__qualname__ if cls.__module__ in ("builtins", "__main__") else "%s.%s" % (cls.__module__, cls.__qualname__)
    if isinstance(error, SyntaxError):
        return "%s: %s (line %s)" % (name, error.msg, error.lineno)
    try:
        text = str(error)
    except Exception:
        text = "<unprintable %s>" % name
    return "%s: %s" % (name, text) if text else name


def user_traceback(error):
    """The traceback without the driver's own frames."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == DRIVER_FILE:
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(error), error, tb))


def run(request):
    """Runs one task and returns its outcome; KeyboardInterrupt may escape, the caller maps it."""
    signal.signal(signal.SIGINT, on_sigint)
    state["task"] = request["id"]
    try:
        send({"type": "started", "id": request["id"]})
        execute(request["code"], "<task %s>" % request["id"])
        return {"status": "ok"}
    except KeyboardInterrupt:
        return {"status": "interrupted"}
    except SystemExit as error:
        if error.code is None or error.code == 0:
            return {"status": "ok"}
        REAL_STDERR.write(user_traceback(error))
        return {"status": "error", "message": exception_line(error)}
    except SyntaxError as error:
        REAL_STDERR.write("".join(traceback.format_exception_only(type(error), error)))
        return {"status": "error", "message": exception_line(error)}
    except BaseException as error:
        REAL_STDERR.write(user_traceback(error))
        return {"status": "error", "message": exception_line(error)}
    finally:
        state["task"] = None


def finish(task_id, outcome):
    """Flushes the task's output, marks its end on fd 1 and fd 2, then reports the outcome."""
    sys.stdout, sys.stderr = REAL_STDOUT, REAL_STDERR
    for stream in (REAL_STDOUT, REAL_STDERR):
        try:
            stream.flush()
        except Exception:
            pass
    for fd in (1, 2):
        marker = memoryview(MARKER)
        while marker:
            marker = marker[os.write(fd, marker):]
    send({"type": "done", "id": task_id, **outcome})


class ProtocolError(Exception):
    pass


RUN_FIELDS = {"type": str, "id": str, "code": str}


def parse_request(line):
    """A `run` request, checked as the EngineConn's schema defines it; ProtocolError otherwise."""
    try:
        request = json.loads(line)
    except ValueError:
        raise ProtocolError("a request that is not JSON")
    if not isinstance(request, dict) or not isinstance(request.get("type"), str):
        raise ProtocolError("a request with no type")
    if request["type"] != "run":
        raise ProtocolError("an unknown request type %r" % request["type"][:40])
    if set(request) != set(RUN_FIELDS) or not all(isinstance(request[k], t) for k, t in RUN_FIELDS.items()):
        raise ProtocolError("a run request without exactly the string fields type, id and code")
    return request


def check_protocol():
    """Exits, saying why, unless the EngineConn speaks this driver's protocol version."""
    theirs = os.environ.pop("ENGINECONN_PY_PROTOCOL", None)
    if theirs == str(PROTOCOL_VERSION):
        return
    send({
        "type": "fatal",
        "protocol": PROTOCOL_VERSION,
        "message": "this driver speaks protocol version %d, the EngineConn %s"
        % (PROTOCOL_VERSION, "version %s" % theirs[:20] if theirs else "no version"),
    })
    sys.exit(3)


def main():
    check_protocol()
    signal.signal(signal.SIGINT, on_sigint)
    requests = os.fdopen(REQUEST_FD, "rb")
    send({"type": "ready", "protocol": PROTOCOL_VERSION, "pid": os.getpid(), "version": "%d.%d" % sys.version_info[:2]})
    for line in requests:
        try:
            request = parse_request(line)
        except ProtocolError as error:
            send({"type": "protocol-error", "message": str(error)})
            continue
        try:
            outcome = run(request)
        except KeyboardInterrupt:
            outcome = {"status": "interrupted"}
        state["task"] = None
        finish(request["id"], outcome)


if __name__ == "__main__":
    main()
