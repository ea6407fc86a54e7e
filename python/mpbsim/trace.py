"""trace.py — workload traces (docs/trace-format.md) from Python: read records as NumPy
arrays, write them, and replay a trace through the golden model (libtraces' writer,
streaming reader and replay_run; every check and message is the library's)."""
import json
import os

import numpy as np

from . import _fmt, _mpb
from .config import as_config
from .energy import Counts

_NAMES = _mpb.trace_names()          # {kind: (number, op names)}
KINDS = {name: num for name, (num, _) in _NAMES.items()}
KIND_NAMES = {num: name for name, num in KINDS.items()}
OPS = {name: ops for name, (_, ops) in _NAMES.items()}
F_F32, F_POS = 0x1, 0x2              # TRACE_F_F32, TRACE_F_POS (trace.h)
HEADER_FIELDS = tuple(_mpb.trace_header_default())


class TraceHeader:
    """The trace header (trace_header); fields as keyword arguments, the rest default."""

    def __init__(self, **fields):
        self.__dict__.update(_mpb.trace_header_default())
        for k, v in fields.items():
            if k not in HEADER_FIELDS:
                raise ValueError(f"trace header has no field '{k}' (fields: {', '.join(HEADER_FIELDS)})")
            setattr(self, k, v)

    def to_dict(self):
        return {k: getattr(self, k) for k in HEADER_FIELDS}

    def __eq__(self, other):
        return isinstance(other, TraceHeader) and self.to_dict() == other.to_dict()

    def __repr__(self):
        ref = _mpb.trace_header_default()
        return "TraceHeader(" + ", ".join(f"{k}={v!r}" for k, v in self.to_dict().items() if v != ref[k]) + ")"


class Record:
    """One trace record: kind/op names, indices and its arrays (None when absent):
    rope  x (ntok, width) int8, scale (ntok,), pos (ntok,), f32 (ntok, width) if kept;
    exp   f32 (ntok, width) inputs of e^v, pos if present;
    gemm  x = A (ntok, width) int8 + scale, b = B rows (cols, width) int8 + b_scale."""

    def __init__(self, kind, op, *, layer=0, head=0, tok0=0, pos=None, x=None, scale=None,
                 f32=None, b=None, b_scale=None, index=None):
        self.kind, self.op = kind, op
        self.layer, self.head, self.tok0, self.index = int(layer), int(head), int(tok0), index
        self.pos, self.x, self.scale, self.f32, self.b, self.b_scale = pos, x, scale, f32, b, b_scale

    @property
    def ntok(self):
        a = self.x if self.x is not None else self.f32
        return 0 if a is None else a.shape[0]

    @property
    def width(self):
        a = self.x if self.x is not None else self.f32
        return 0 if a is None else a.shape[1]

    @property
    def cols(self):
        return 0 if self.b is None else self.b.shape[0]

    @classmethod
    def _from_c(cls, d):
        nt, w, c = d["ntok"], d["width"], d["cols"]
        kname = KIND_NAMES.get(d["kind"], "?")
        ops = OPS.get(kname, ())
        opname = ops[d["op"]] if d["op"] < len(ops) else "?"

        def shape2(a, rows):
            return None if a is None else a.reshape(rows, w)
        return cls(kname, opname,
                   layer=d["layer"], head=d["head"], tok0=d["tok0"], pos=d["pos"], x=shape2(d["x"], nt),
                   scale=d["scale"], f32=shape2(d["f32"], nt), b=shape2(d["b"], c), b_scale=d["b_scale"],
                   index=d["index"])

    def __repr__(self):
        arrays = ", ".join(f"{n}={_fmt.arr(getattr(self, n))}" for n in ("pos", "x", "scale", "f32", "b", "b_scale")
                           if getattr(self, n) is not None)
        return (f"Record({self.kind}/{self.op}, layer={self.layer}, head={self.head}, tok0={self.tok0}, "
                f"ntok={self.ntok}, width={self.width}" + (f", cols={self.cols}" if self.cols else "")
                + (", " + arrays if arrays else "") + ")")


class TraceReader:
    """Iterate a trace's records: `for rec in TraceReader(path): ...` (arrays are copies)."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self._r = _mpb.TraceReader(self.path)
        self.header = TraceHeader(**self._r.header())

    def __iter__(self):
        return self

    def __next__(self):
        d = self._r._read()
        if d is None:
            raise StopIteration
        return Record._from_c(d)

    def close(self):
        self._r.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"TraceReader('{self.path}', {self.header!r})"


def read_trace(path):
    """(header, [records]) of a whole trace."""
    with TraceReader(path) as r:
        return r.header, list(r)


def _arr(a, dtype, shape=None):
    if a is None:
        return None
    a = np.ascontiguousarray(a, dtype=dtype)
    return a.reshape(shape) if shape is not None else a.ravel()


class TraceWriter:
    """Write a trace: `with TraceWriter(path, TraceHeader(...)) as w: w.write(record)`.
    An exception inside the with-block aborts: the file stays incomplete and invalid."""

    def __init__(self, path, header):
        self.path = os.fspath(path)
        self.header = header if isinstance(header, TraceHeader) else TraceHeader(**header)
        self._w = _mpb.TraceWriter(self.path, self.header.to_dict())

    def write(self, rec):
        if rec.kind not in KINDS:
            raise ValueError(f"record kind '{rec.kind}' is not one of {{{', '.join(KINDS)}}}")
        if rec.op not in OPS[rec.kind]:
            raise ValueError(f"{rec.kind} op '{rec.op}' is not one of {{{', '.join(OPS[rec.kind])}}}")
        flags = (F_F32 if rec.kind == "rope" and rec.f32 is not None else 0) | (F_POS if rec.pos is not None else 0)
        self._w._write(KINDS[rec.kind], OPS[rec.kind].index(rec.op), flags, rec.layer, rec.head, rec.tok0,
                       rec.ntok, rec.width, rec.cols, _arr(rec.pos, np.uint32), _arr(rec.x, np.int8),
                       _arr(rec.scale, np.float32), _arr(rec.f32, np.float32), _arr(rec.b, np.int8),
                       _arr(rec.b_scale, np.float32))

    @property
    def records(self):
        return self._w._records()

    def close(self):
        self._w.close()

    def abort(self):
        self._w.abort()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def __repr__(self):
        try:
            n = f"{self.records} records"
        except ValueError:
            n = "closed"
        return f"TraceWriter('{self.path}', {n})"


def quantize_row(x):
    """Symmetric int8 quantization of one row (trace_quantize_row): (q int8, scale)."""
    return _mpb.quantize_row(x)


class ReplayStat:
    def __init__(self, count, max_abs, rms, mean):
        self.count, self.max_abs, self.rms, self.mean = count, max_abs, rms, mean

    def __repr__(self):
        return f"ReplayStat(count={self.count}, max_abs={self.max_abs:.4g}, rms={self.rms:.4g}, mean={self.mean:.4g})"


class ReplayResult:
    """What replay_run measured: stats per kind, events, action counts, and the full
    report (`report`: the JSON of `mpbsim replay --json`, schema mpbsim-replay-1)."""

    def __init__(self, d):
        self.header = TraceHeader(**d["header"])
        self.records, self.ops, self.seconds, self.cycle = d["records"], d["ops"], d["seconds"], d["cycle"]
        self.stats = {k: ReplayStat(*v) for k, v in d["stats"].items()}
        self.exp_saturated = d["exp_saturated"]
        self.dot_wrap_events, self.dot_sat_events = d["dot_wrap_events"], d["dot_sat_events"]
        self.counts = Counts(*d["counts"])
        self.json, self.summary = d["json"], d["summary"]

    @property
    def report(self):
        return json.loads(self.json)

    def __str__(self):
        return self.summary

    def __repr__(self):
        st = ", ".join(f"{k}: {v.count} max {v.max_abs:.3g}" for k, v in self.stats.items() if v.count)
        return f"ReplayResult({self.header.model!r}, {self.records} records; {st})"


def replay(path, config=None, kinds=None, cycle=False, counts=True, max_records=0, on_record=None):
    """Replay a trace through the golden model (replay_run). kinds: names to replay (all
    by default); on_record(index, kind, op, layer, head, got, ref) sees every record's
    model and FP64 reference values (float64 arrays; the replay holds the GIL then)."""
    mask = 0
    for k in kinds or ():
        if k not in KINDS:
            raise ValueError(f"kind '{k}' is not one of {{{', '.join(KINDS)}}}")
        mask |= 1 << KINDS[k]
    hook = None
    if on_record is not None:
        def hook(index, kind, op, layer, head, got, ref):
            name = KIND_NAMES[kind]
            on_record(index, name, OPS[name][op], layer, head, got, ref)
    return ReplayResult(_mpb.replay(os.fspath(path), as_config(config), mask, bool(cycle), not counts,
                                    int(max_records), hook))
